namespace ClaimLedger.Audit.Witnessing;

/// <summary>Wakes the witness submitter when this node signs a checkpoint; it also polls, for checkpoints signed elsewhere.</summary>
public sealed class CheckpointSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Signed() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Until the next checkpoint this node signs, or <paramref name="timeout"/>.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        try { await Volatile.Read(ref _next).Task.WaitAsync(timeout, ct); }
        catch (TimeoutException) { }
    }
}
