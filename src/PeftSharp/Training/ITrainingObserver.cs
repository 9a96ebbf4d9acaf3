namespace PeftSharp.Training;

/// <summary>Receives progress (the CLI shows a live bar; tests and the library default ignore it).</summary>
public interface ITrainingObserver
{
    void OnStart(long totalSteps, long startStep) { }
    void OnStep(StepReport report) { }
    /// <summary>An evaluation on <paramref name="split"/> ("dev", "test") has finished <paramref name="done"/> of <paramref name="total"/> examples.</summary>
    void OnEvaluationProgress(string split, long done, long total) { }
    /// <summary>The metrics of an evaluation at <paramref name="step"/>, computed over <paramref name="examples"/> examples.</summary>
    void OnEvaluation(long step, IReadOnlyDictionary<string, double> metrics, int examples) { }
    void OnMessage(string message) { }
}
