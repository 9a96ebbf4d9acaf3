namespace PeftSharp.Training;

/// <summary>Receives progress (the CLI shows a live bar; tests and the library default ignore it).</summary>
public interface ITrainingObserver
{
    void OnStart(long totalSteps, long startStep) { }
    void OnStep(StepReport report) { }
    void OnEvaluation(long step, IReadOnlyDictionary<string, double> metrics) { }
    void OnMessage(string message) { }
}
