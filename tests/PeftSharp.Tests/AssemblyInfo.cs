// One test at a time: TorchSharp's random generator and default dtype are process-wide, and TorchSharp 0.107 does not
// keep a temporary Scalar alive during its native call, so a garbage collection started by another test's thread
// could free one in the middle of a tensor operation.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
