using System.CommandLine;
using PeftSharp.Cli.Output;
using PeftSharp.Evaluation.Generation;
using PeftSharp.Training;
using PeftSharp.Tuners;
using PeftSharp.Tuners.DualLora;
using PeftSharp.Workflows;

namespace PeftSharp.Cli.Commands;

/// <summary><c>peft train</c>: every option of the issue, named exactly so, mapped onto <see cref="TrainSettings"/>.</summary>
internal sealed class TrainCommand : ICliCommand
{
    public Command Command { get; }
    public OptionSet Options { get; }

    readonly Option<string> model, data, output, task, method, targetModules, modulesToSave, bias, magnitudeActivation, signMode, optimizer, scheduler, device, dtype;
    readonly Option<string?> evalData, testData, resume, recipe, earlyStoppingMetric;
    readonly Option<int> r, batchSize, gradAccum, epochs, seed, evalSteps, saveSteps, keepLast, loggingSteps, warmupSteps, deltaT, evalBatchSize, numBeams, maxNewTokens, noRepeatNgram, patience;
    readonly Option<int?> r1, r2, k, initR, targetR, tinit, tfinal, updateWarmupSteps, maxLength, evalMaxExamples;
    readonly Option<double> alpha, dropout, loraplusRatio, lr, weightDecay, maxGradNorm, beta1, beta2, initStd, labelSmoothing, lengthPenalty;
    readonly Option<double?> orthRegWeight, warmupRatio;
    readonly Option<long> maxSteps;
    readonly Option<bool> useRslora, noShuffle, saveInitial, fromScratch, pack, referenceIndentation, naiveDualLora;

    /// <summary>The train options on <paramref name="command"/> (default: the <c>train</c> command; <c>compare</c> reuses them).</summary>
    public TrainCommand(Command? command = null)
    {
        Command = command ?? new Command("train", "Fine-tune a model with a PEFT method (or fully) and save the adapter, metrics and plots.");
        var o = Options = new OptionSet(Command);
        model = o.Add<string>("model", "Model folder (config.json, model.safetensors, tokenizer files)", required: true);
        data = o.Add<string>("data", "Training data: .jsonl, .txt, .csv (E2E), .json (commonsense), or a GLUE file/folder", required: true);
        evalData = o.Add<string?>("eval-data", "Evaluation data (same format); evaluated every --eval-steps and at the end");
        testData = o.Add<string?>("test-data", "Test data, evaluated once after training");
        output = o.Add<string>("out", "Output folder: adapter (PEFT format), metrics.jsonl, plots, final_metrics.json", required: true);
        task = o.Add("task", "auto | causal-lm | classification | glue/<task> | commonsense[/<task>] | e2e", "auto");
        maxLength = o.Maybe<int>("max-length", "Longest sequence in tokens (default: the model's context; 512 for classification; never more than the context); longer ones are truncated with a warning");
        fromScratch = o.Add<bool>("from-scratch", "Initialise the model randomly from config.json (pretraining) instead of loading weights");
        pack = o.Add<bool>("pack", "Concatenate causal-LM texts and cut them into --max-length blocks (pretraining)");
        referenceIndentation = o.Add<bool>("reference-indentation", "Commonsense prompts with the reference code's exact whitespace");
        recipe = o.Add<string?>("recipe", "A recipe file (recipes/*.json) whose settings apply unless given on the command line");

        method = o.Add("method", "Fine-tuning method", "lora", choices: MethodSettings.Names);
        r = o.Add("r", "Rank budget (LoRA r; Dual LoRA uses r1 = r2 = r/2; AdaLoRA init_r = r; LoRA² K = r)", 8);
        r1 = o.Maybe<int>("r1", "Dual LoRA magnitude-group rank");
        r2 = o.Maybe<int>("r2", "Dual LoRA direction-group rank");
        k = o.Maybe<int>("k", "LoRA² inner rank K");
        alpha = o.Add("alpha", "Scaling α (LoRA: α/r; rsLoRA: α/√r; Dual LoRA: α/√(r1·r2); AdaLoRA/LoRA²: α/r0)", 16.0);
        dropout = o.Add("lora-dropout", "Dropout on the adapter branch input", 0.0);
        targetModules = o.Add("target-modules", "Comma-separated module names, regex:PATTERN, or all-linear (default: the architecture's PEFT default)", "");
        modulesToSave = o.Add("modules-to-save", "Comma-separated modules trained fully and saved with the adapter (classification: the head, by default)", "");
        bias = o.Add("bias", "Biases to train: none | all | lora_only", "none", choices: ["none", "all", "lora_only"]);
        useRslora = o.Add<bool>("use-rslora", "rsLoRA scaling α/√r");
        loraplusRatio = o.Add("loraplus-lr-ratio", "LoRA+: learning-rate ratio of the B matrices", 16.0);
        initR = o.Maybe<int>("init-r", "AdaLoRA/LoRA²: initial number of triplets per layer");
        targetR = o.Maybe<int>("target-r", "AdaLoRA/LoRA²: average triplets per layer after pruning (default init-r/2)");
        tinit = o.Maybe<int>("tinit", "AdaLoRA/LoRA²: steps before pruning starts (default 10% of the steps)");
        tfinal = o.Maybe<int>("tfinal", "AdaLoRA/LoRA²: final steps with the mask frozen (default 20% of the steps)");
        deltaT = o.Add("delta-t", "AdaLoRA/LoRA²: steps between masking updates", 1);
        beta1 = o.Add("beta1", "AdaLoRA/LoRA²: EMA of sensitivity", 0.85);
        beta2 = o.Add("beta2", "AdaLoRA/LoRA²: EMA of uncertainty", 0.85);
        orthRegWeight = o.Maybe<double>("orth-reg-weight", "AdaLoRA/LoRA²: weight of the orthogonal regulariser (default 0.5 / 0.1)");
        updateWarmupSteps = o.Maybe<int>("update-warmup-steps", "Dual LoRA: steps of the γ ramp 0→1 (default: --warmup-steps, at least 1; 0 = none)");
        initStd = o.Add("init-std", "Dual LoRA: std of the Gaussian initialisation", 0.02);
        magnitudeActivation = o.Add("magnitude-activation", "Dual LoRA: relu | abs | sigmoid", "relu", choices: ["relu", "abs", "sigmoid"]);
        signMode = o.Add("sign-mode", "Dual LoRA: ste | xnor | dorefa", "ste", choices: ["ste", "xnor", "dorefa"]);
        naiveDualLora = o.Add<bool>("naive-dual-lora", "Dual LoRA without the memory-efficient autograd function (for comparison)");

        optimizer = o.Add("optimizer", "adamw | sgd", "adamw", choices: ["adamw", "sgd"]);
        lr = o.Add("lr", "Peak learning rate", 2e-4);
        weightDecay = o.Add("weight-decay", "Decoupled weight decay (none on biases, norms, λ)", 0.0);
        scheduler = o.Add("lr-scheduler", "constant | linear | cosine", "linear", choices: ["constant", "linear", "cosine"]);
        warmupSteps = o.Add("warmup-steps", "Linear learning-rate warm-up steps", 0);
        warmupRatio = o.Maybe<double>("warmup-ratio", "Warm-up as a fraction of the total steps (overrides --warmup-steps)");
        epochs = o.Add("epochs", "Passes over the training data", 1);
        maxSteps = o.Add<long>("max-steps", "Stop after this many optimizer steps (overrides --epochs)");
        batchSize = o.Add("batch-size", "Examples per micro-batch", 8);
        gradAccum = o.Add("grad-accum", "Micro-batches per optimizer step", 1);
        maxGradNorm = o.Add("max-grad-norm", "Clip the global gradient norm (0 = off)", 1.0);
        seed = o.Add("seed", "Seed of initialisation, data order and dropout (CPU runs are reproducible bit for bit)", 42);
        noShuffle = o.Add<bool>("no-shuffle", "Keep the data order");
        labelSmoothing = o.Add("label-smoothing", "Label smoothing of the causal-LM loss", 0.0);

        evalSteps = o.Add("eval-steps", "Evaluate every N steps (0 = at the end only)", 0);
        evalBatchSize = o.Add("eval-batch-size", "Batch size of evaluation and generation", 32);
        evalMaxExamples = o.Maybe<int>("eval-max-examples", "Evaluate on at most this many examples");
        earlyStoppingMetric = o.Add<string?>("early-stopping-metric", "Stop when this evaluation metric stops improving (e.g. accuracy, loss)");
        patience = o.Add("early-stopping-patience", "Evaluations without improvement before stopping", 3);
        saveSteps = o.Add("save-steps", "Write checkpoint-<step>/ every N steps (0 = none)", 0);
        saveInitial = o.Add<bool>("save-initial", "Write checkpoint-0 before the first update");
        keepLast = o.Add("keep-last", "Keep only the newest K checkpoints (0 = all)", 0);
        loggingSteps = o.Add("logging-steps", "Log loss and learning rate every N steps", 10);
        resume = o.Add<string?>("resume", "Resume from a checkpoint folder (or the newest checkpoint in an output folder)");

        numBeams = o.Add("num-beams", "Beams for generation-evaluated tasks", 1);
        maxNewTokens = o.Add("max-new-tokens", "Tokens to generate for generation-evaluated tasks", 32);
        lengthPenalty = o.Add("length-penalty", "Beam-search length penalty", 1.0);
        noRepeatNgram = o.Add("no-repeat-ngram", "Forbid repeating n-grams of this size in generation (0 = off)", 0);

        device = o.Add("device", "cpu | cuda | cuda:N", "cpu");
        dtype = o.Add("dtype", "float32 | bfloat16 | float16", "float32");
    }

    static IReadOnlyList<string>? List(string text) =>
        string.IsNullOrWhiteSpace(text) ? null : text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public TrainSettings Settings(ParseResult p) => new()
    {
        ModelDirectory = p.GetValue(model)!,
        DataPath = p.GetValue(data)!,
        EvalDataPath = p.GetValue(evalData),
        OutputDirectory = p.GetValue(output)!,
        Task = p.GetValue(task)!,
        MaxLength = p.GetValue(maxLength),
        FromScratch = p.GetValue(fromScratch),
        Pack = p.GetValue(pack),
        ReferenceIndentation = p.GetValue(referenceIndentation),
        LabelSmoothing = p.GetValue(labelSmoothing),
        Dtype = p.GetValue(dtype)!,
        Device = p.GetValue(device)!,
        EvalBatchSize = p.GetValue(evalBatchSize),
        EvalMaxExamples = p.GetValue(evalMaxExamples),
        WarmupRatio = p.GetValue(warmupRatio),
        Generation = new GenerationOptions
        {
            NumBeams = p.GetValue(numBeams), MaxNewTokens = p.GetValue(maxNewTokens), LengthPenalty = p.GetValue(lengthPenalty),
            NoRepeatNgramSize = p.GetValue(noRepeatNgram), EarlyStopping = p.GetValue(numBeams) > 1,
        },
        Method = new MethodSettings
        {
            Method = p.GetValue(method)!,
            R = p.GetValue(r), Alpha = p.GetValue(alpha), Dropout = p.GetValue(dropout),
            TargetModules = string.IsNullOrWhiteSpace(p.GetValue(targetModules)) ? null : TargetModules.Parse(p.GetValue(targetModules)!),
            ModulesToSave = List(p.GetValue(modulesToSave)!),
            Bias = p.GetValue(bias)!, UseRslora = p.GetValue(useRslora), LoraPlusRatio = p.GetValue(loraplusRatio),
            R1 = p.GetValue(r1), R2 = p.GetValue(r2), UpdateWarmupSteps = p.GetValue(updateWarmupSteps), InitStd = p.GetValue(initStd),
            MagnitudeActivation = Enum.Parse<MagnitudeActivation>(p.GetValue(magnitudeActivation)!, ignoreCase: true),
            SignMode = Enum.Parse<SignMode>(p.GetValue(signMode)!, ignoreCase: true),
            MemoryEfficient = !p.GetValue(naiveDualLora),
            K = p.GetValue(k), InitR = p.GetValue(initR), TargetR = p.GetValue(targetR), Tinit = p.GetValue(tinit), Tfinal = p.GetValue(tfinal),
            DeltaT = p.GetValue(deltaT), Beta1 = p.GetValue(beta1), Beta2 = p.GetValue(beta2), OrthRegWeight = p.GetValue(orthRegWeight),
        },
        Trainer = new TrainerOptions
        {
            OutputDirectory = p.GetValue(output)!,
            Optimizer = p.GetValue(optimizer) == "sgd" ? OptimizerKind.Sgd : OptimizerKind.AdamW,
            LearningRate = p.GetValue(lr), WeightDecay = p.GetValue(weightDecay),
            Schedule = Enum.Parse<ScheduleKind>(p.GetValue(scheduler)!, ignoreCase: true),
            WarmupSteps = p.GetValue(warmupSteps), Epochs = p.GetValue(epochs), MaxSteps = p.GetValue(maxSteps),
            BatchSize = p.GetValue(batchSize), GradientAccumulation = p.GetValue(gradAccum), MaxGradNorm = p.GetValue(maxGradNorm),
            Seed = p.GetValue(seed), Shuffle = !p.GetValue(noShuffle), EvalSteps = p.GetValue(evalSteps), SaveSteps = p.GetValue(saveSteps),
            SaveInitial = p.GetValue(saveInitial), KeepLastCheckpoints = p.GetValue(keepLast), LoggingSteps = p.GetValue(loggingSteps),
            EarlyStoppingMetric = p.GetValue(earlyStoppingMetric), EarlyStoppingPatience = p.GetValue(patience), ResumeFrom = p.GetValue(resume),
        },
    };

    public string? TestData(ParseResult p) => p.GetValue(testData);

    /// <summary>Runs training with a progress bar; returns the process exit code (130 when interrupted).</summary>
    public int Run(ParseResult p, CancellationToken cancel)
    {
        var settings = Settings(p);
        var result = ConsoleProgress.Run($"{settings.Method.Method}", observer =>
            TrainWorkflow.Run(settings, observer, ConsoleOutput.Warn, cancel, TestData(p)));
        ConsoleOutput.Summary(result);
        return result.Train.Interrupted ? 130 : 0;
    }
}
