using System.CommandLine;
using PeftSharp.Cli.Options;
using PeftSharp.Cli.Output;
using PeftSharp.Data;
using PeftSharp.Evaluation.Generation;
using PeftSharp.Training;
using PeftSharp.Tuners;
using PeftSharp.Workflows;

namespace PeftSharp.Cli.Commands;

/// <summary>
/// <c>peft train</c>: the run's options mapped onto <see cref="TrainSettings"/>. The method options are generated from
/// the registered methods' configurations (<see cref="MethodOptionBindings"/>); the rest are the trainer's.
/// </summary>
internal sealed class TrainCommand : ICliCommand
{
    public Command Command { get; }
    public OptionSet Options { get; }

    private readonly Option<string> model, data, output, task, optimizer, scheduler, device, dtype;
    private readonly Option<string?> evalData, testData, resume, recipe, earlyStoppingMetric, method;
    private readonly Option<int> r, batchSize, gradAccum, epochs, seed, evalSteps, saveSteps, keepLast, loggingSteps, warmupSteps, evalBatchSize, patience;
    private readonly Option<int?> maxLength, evalMaxExamples, testMaxExamples;
    private readonly Option<double> lr, weightDecay, maxGradNorm, labelSmoothing;
    private readonly Option<double?> warmupRatio, evalSplit;
    private readonly Option<long> maxSteps;
    private readonly Option<bool> noShuffle, saveInitial, fromScratch, pack, referenceIndentation, overwrite, gradientCheckpointing, adapterInBaseDtype;
    private readonly MethodOptionBindings methodOptions;
    private readonly GenerationFlags generation;

    /// <summary>
    /// The train options on <paramref name="command"/> (default: the <c>train</c> command). <c>compare</c> reuses them
    /// with <paramref name="singleMethod"/> false: it names its methods with --methods instead of --method.
    /// </summary>
    public TrainCommand(Command? command = null, bool singleMethod = true)
    {
        Command = command ?? new Command("train", "Fine-tune a model with a PEFT method (or fully) and save the adapter, metrics and plots.");
        var o = Options = new OptionSet(Command);
        model = o.Add<string>("model", "Model folder (config.json, model.safetensors, tokenizer files)", required: true, binds: nameof(TrainSettings.ModelDirectory));
        data = o.Add<string>("data", DataHelp.Training, required: true, binds: nameof(TrainSettings.DataPath));
        evalData = o.Add<string?>("eval-data", "Evaluation data (same format); evaluated every --eval-steps and at the end", binds: nameof(TrainSettings.EvalDataPath));
        testData = o.Add<string?>("test-data", "Test data, evaluated once after training", binds: nameof(TrainSettings.TestDataPath));
        output = o.Add<string>("out", "Output folder: adapter (PEFT format), metrics.jsonl, plots, final_metrics.json", required: true, binds: nameof(TrainSettings.OutputDirectory));
        task = o.Add("task", DataHelp.Task, "auto");
        maxLength = o.Maybe<int>("max-length", "Longest sequence in tokens (default: the model's context; 512 for classification; never more than the context); longer ones are truncated with a warning", binds: nameof(TrainSettings.MaxLength));
        fromScratch = o.Add<bool>("from-scratch", "Initialise the model randomly from config.json (pretraining) instead of loading weights");
        pack = o.Add<bool>("pack", "Concatenate causal-LM texts and cut them into --max-length blocks (pretraining)");
        referenceIndentation = o.Add<bool>("reference-indentation", "Commonsense prompts with the reference code's exact whitespace");
        recipe = o.Add<string?>("recipe", "A recipe file (recipes/*.json) whose settings apply unless given on the command line");

        method = singleMethod
            ? o.Add<string?>("method", $"Fine-tuning method: {string.Join(" | ", PeftMethods.Names)} (default: lora)", binds: "method")
            : null!;
        r = o.Add("r", "Parameter budget in LoRA ranks: every method sizes itself to LoRA rank r's trainable parameters (LoRA r; Dual LoRA r1 = r2 = r/2; AdaLoRA init_r = r; LoRA² K = r) with α = 2r; the options below override single sizes", 8, binds: "r");
        methodOptions = new MethodOptionBindings(o, reserved: new HashSet<string> { "r" });

        optimizer = o.Add("optimizer", "adamw | sgd", "adamw", choices: ["adamw", "sgd"], binds: nameof(TrainerOptions.Optimizer));
        lr = o.Add("lr", "Peak learning rate", 2e-4, binds: nameof(TrainerOptions.LearningRate));
        weightDecay = o.Add("weight-decay", "Decoupled weight decay (none on biases, norms, λ)", 0.0, binds: nameof(TrainerOptions.WeightDecay));
        scheduler = o.Add("lr-scheduler", "constant | linear | cosine", "linear", choices: ["constant", "linear", "cosine"], binds: nameof(TrainerOptions.Schedule));
        warmupSteps = o.Add("warmup-steps", "Linear learning-rate warm-up steps", 0, binds: nameof(TrainerOptions.WarmupSteps));
        warmupRatio = o.Maybe<double>("warmup-ratio", "Warm-up as a fraction of the total steps (overrides --warmup-steps)", binds: nameof(TrainerOptions.WarmupRatio));
        epochs = o.Add("epochs", "Passes over the training data", 1, binds: nameof(TrainerOptions.Epochs));
        maxSteps = o.Add<long>("max-steps", "Stop after this many optimizer steps (overrides --epochs)", binds: nameof(TrainerOptions.MaxSteps));
        batchSize = o.Add("batch-size", "Examples per micro-batch", 8, binds: nameof(TrainerOptions.BatchSize));
        gradAccum = o.Add("grad-accum", "Micro-batches per optimizer step", 1, binds: nameof(TrainerOptions.GradientAccumulation));
        maxGradNorm = o.Add("max-grad-norm", "Clip the global gradient norm (0 = off)", 1.0, binds: nameof(TrainerOptions.MaxGradNorm));
        seed = o.Add("seed", "Seed of initialisation, data order and dropout (CPU runs are reproducible bit for bit)", 42, binds: nameof(TrainerOptions.Seed));
        noShuffle = o.Add<bool>("no-shuffle", "Keep the data order");
        labelSmoothing = o.Add("label-smoothing", "Label smoothing of the causal-LM loss", 0.0, binds: nameof(TrainSettings.LabelSmoothing));

        evalSteps = o.Add("eval-steps", "Evaluate every N steps (0 = at the end only)", 0, binds: nameof(TrainerOptions.EvalSteps));
        evalBatchSize = o.Add("eval-batch-size", "Batch size of evaluation and generation", 32, binds: nameof(TrainSettings.EvalBatchSize));
        evalMaxExamples = o.Maybe<int>("eval-max-examples", "Evaluate on at most this many examples of the evaluation data (not the test data)", binds: nameof(TrainSettings.EvalMaxExamples));
        testMaxExamples = o.Maybe<int>("test-max-examples", "Test on at most this many examples of the test data", binds: nameof(TrainSettings.TestMaxExamples));
        evalSplit = o.Maybe<double>("eval-split", "Without --eval-data: hold out this fraction of the training data for evaluation, e.g. 0.1 (the same examples in every run)", binds: nameof(TrainSettings.EvalSplit));
        earlyStoppingMetric = o.Add<string?>("early-stopping-metric", "Stop when this evaluation metric stops improving (e.g. accuracy, loss)");
        patience = o.Add("early-stopping-patience", "Evaluations without improvement before stopping", 3, binds: nameof(TrainerOptions.EarlyStoppingPatience));
        saveSteps = o.Add("save-steps", "Write checkpoint-<step>/ every N steps (0 = none)", 0, binds: nameof(TrainerOptions.SaveSteps));
        saveInitial = o.Add<bool>("save-initial", "Write checkpoint-0 before the first update");
        keepLast = o.Add("keep-last", "Keep only the newest K checkpoints (0 = all)", 0, binds: nameof(TrainerOptions.KeepLastCheckpoints));
        loggingSteps = o.Add("logging-steps", "Log loss and learning rate every N steps", 10, binds: nameof(TrainerOptions.LoggingSteps));
        resume = o.Add<string?>("resume", "Resume from a checkpoint folder (or the newest checkpoint in an output folder); alone, it continues with the options the run was started with (--max-steps / --epochs may extend it)", binds: nameof(TrainerOptions.ResumeFrom));
        overwrite = o.Add<bool>("overwrite", "Write into an --out that already holds files: an earlier run's checkpoints and logs there are removed, its results replaced", binds: nameof(TrainSettings.Overwrite));

        generation = new GenerationFlags(o); // for generation-evaluated tasks

        device = o.Add("device", "cpu | cuda | cuda:N", "cpu");
        dtype = o.Add("dtype", "float32 | bfloat16 | float16: the dtype the model's weights are stored and multiplied in; bfloat16/float16 train in mixed precision (adapters, optimizer state, norms, softmax and loss in float32)", "float32", choices: Dtypes.Names, binds: nameof(TrainSettings.Dtype));
        adapterInBaseDtype = o.Add<bool>("adapter-in-base-dtype", "With --dtype bfloat16/float16: adapters in that dtype too (float32 master copies in the optimizer) instead of float32", binds: nameof(TrainSettings.AdapterInBaseDtype));
        gradientCheckpointing = o.Add<bool>("gradient-checkpointing", "Recompute each transformer block's activations in backward instead of keeping them: much less memory for one more forward pass per step, the same result", binds: nameof(TrainSettings.GradientCheckpointing));
    }

    /// <summary>The method named by --method (case-insensitive; default lora).</summary>
    public PeftMethod Method(ParseResult p) => PeftMethods.Get(p.GetValue(method) ?? "lora");

    /// <summary>The configuration of <paramref name="chosen"/> at the --r budget with the given method options applied (null for full fine-tuning).</summary>
    public AdapterConfig? Configure(PeftMethod chosen, ParseResult p, IReadOnlyList<PeftMethod> all) =>
        methodOptions.Apply(chosen.ForBudget(p.GetValue(r)), p, all);

    /// <summary>The run's settings for <paramref name="chosen"/> (the --method when null).</summary>
    public TrainSettings Settings(ParseResult p, PeftMethod? chosen = null)
    {
        chosen ??= Method(p);
        return new()
        {
            ModelDirectory = p.GetValue(model)!,
            DataPath = p.GetValue(data)!,
            EvalDataPath = p.GetValue(evalData),
            TestDataPath = p.GetValue(testData),
            OutputDirectory = p.GetValue(output)!,
            Task = p.GetValue(task) is "auto" or null ? null : TaskSpec.Parse(p.GetValue(task), p.GetValue(data)!),
            Adapter = Configure(chosen, p, [chosen]),
            MaxLength = p.GetValue(maxLength),
            FromScratch = p.GetValue(fromScratch),
            Pack = p.GetValue(pack),
            ReferenceIndentation = p.GetValue(referenceIndentation),
            LabelSmoothing = p.GetValue(labelSmoothing),
            Dtype = Dtypes.Parse(p.GetValue(dtype)!),
            AdapterInBaseDtype = p.GetValue(adapterInBaseDtype),
            GradientCheckpointing = p.GetValue(gradientCheckpointing),
            Device = p.GetValue(device)!,
            EvalBatchSize = p.GetValue(evalBatchSize),
            EvalMaxExamples = p.GetValue(evalMaxExamples),
            TestMaxExamples = p.GetValue(testMaxExamples),
            EvalSplit = p.GetValue(evalSplit),
            Generation = generation.Given(p),
            Overwrite = p.GetValue(overwrite),
            Trainer = new TrainerOptions
            {
                OutputDirectory = p.GetValue(output)!,
                Optimizer = p.GetValue(optimizer) == "sgd" ? OptimizerKind.Sgd : OptimizerKind.AdamW,
                LearningRate = p.GetValue(lr), WeightDecay = p.GetValue(weightDecay),
                Schedule = Enum.Parse<ScheduleKind>(p.GetValue(scheduler)!, ignoreCase: true),
                WarmupSteps = p.GetValue(warmupSteps), WarmupRatio = p.GetValue(warmupRatio), Epochs = p.GetValue(epochs), MaxSteps = p.GetValue(maxSteps),
                BatchSize = p.GetValue(batchSize), GradientAccumulation = p.GetValue(gradAccum), MaxGradNorm = p.GetValue(maxGradNorm),
                Seed = p.GetValue(seed), Shuffle = !p.GetValue(noShuffle), EvalSteps = p.GetValue(evalSteps), SaveSteps = p.GetValue(saveSteps),
                SaveInitial = p.GetValue(saveInitial), KeepLastCheckpoints = p.GetValue(keepLast), LoggingSteps = p.GetValue(loggingSteps),
                EarlyStoppingMetric = p.GetValue(earlyStoppingMetric), EarlyStoppingPatience = p.GetValue(patience), ResumeFrom = p.GetValue(resume),
            },
        };
    }

    /// <summary>Runs training with a progress bar; returns the process exit code (130 or 143 when stopped by a signal).</summary>
    public int Run(ParseResult p, CancellationToken cancel)
    {
        var settings = Settings(p);
        settings = settings with { Trainer = settings.Trainer with { CommandLine = ResumeArguments.Record(p, [model, data, evalData, testData]) } };
        var result = ProgressDisplay.Run(display => TrainWorkflow.Run(settings, new RunProgress(display, settings.MethodName, logEveryStep: true), display.Warn, cancel));
        ConsoleOutput.Summary(result);
        return result.Train.Interrupted ? StopSignals.ExitCode : 0;
    }
}
