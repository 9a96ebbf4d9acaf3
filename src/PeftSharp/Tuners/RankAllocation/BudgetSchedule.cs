namespace PeftSharp.Tuners.RankAllocation;

/// <summary>
/// AdaLoRA's cubic budget schedule (docs/methods.md#adalora): b0 for t ≤ tinit; then
/// b(t) = ⌊b_T + (b0 − b_T)(1 − (t − tinit)/(T − tfinal − tinit))³⌋ with masking every ΔT steps;
/// b_T with the mask frozen for t &gt; T − tfinal.
/// </summary>
internal sealed record BudgetSchedule(int InitialBudget, int TargetBudget, int Tinit, int Tfinal, int TotalStep, int DeltaT)
{
    /// <summary>The budget at step t and whether the mask is (re)computed at t.</summary>
    public (int Budget, bool Mask) At(long step)
    {
        if (step <= Tinit) return (InitialBudget, false);
        if (step > TotalStep - Tfinal) return (TargetBudget, true);
        double remaining = 1 - (double)(step - Tinit) / (TotalStep - Tfinal - Tinit);
        int budget = (int)Math.Floor(TargetBudget + (InitialBudget - TargetBudget) * remaining * remaining * remaining);
        return (budget, step % DeltaT == 0);
    }

    /// <summary>The step after which the mask is frozen (T − tfinal).</summary>
    public long FreezeStep => TotalStep - Tfinal;
}
