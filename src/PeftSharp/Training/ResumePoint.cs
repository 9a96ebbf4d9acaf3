namespace PeftSharp.Training;

/// <summary>
/// A checkpoint to resume (<see cref="Trainer.FindResumePoint"/>): its folder, the output folder holding it, the step it
/// is at, and the command line that started its run (<see cref="TrainerOptions.CommandLine"/>; null when none was recorded).
/// </summary>
public sealed record ResumePoint(string Checkpoint, string OutputDirectory, long Step, IReadOnlyList<string>? CommandLine);
