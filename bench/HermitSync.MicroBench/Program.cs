using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

// ./hermit bench micro [BenchmarkDotNet options]: the hot code of sync, timed in isolation.
// In-process and short runs keep the whole set within a few minutes on two cores; pass
// e.g. --filter *Clock* to run one class.
var config = DefaultConfig.Instance
    .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance))
    .AddDiagnoser(MemoryDiagnoser.Default);
BenchmarkSwitcher.FromAssembly(typeof(HermitSync.MicroBench.MergeBenchmarks).Assembly).Run(args.Length == 0 ? ["--filter", "*"] : args, config);
