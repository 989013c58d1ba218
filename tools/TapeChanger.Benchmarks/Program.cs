using BenchmarkDotNet.Running;
using TapeChanger.Benchmarks;

// `cpu`: the same decodes timed by the process's CPU time instead of BenchmarkDotNet's elapsed time (see CpuTimeRun).
if (args is ["cpu", ..]) return CpuTimeRun.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
