using AecOfa.Engine;
using AecOfa.Engine.Ops;

namespace AecOfa.Nas.Training;

/// <summary>
/// The frozen teacher's logits for the NEXT step's batch, computed in chunks of clips by lanes that have run out of
/// tasks in this step. A sandwich step's lanes finish unevenly (its sub-networks are whole units: the largest alone is
/// about half a step), and the teacher's forward is the one piece of a step that can be cut finer and done ahead: it
/// depends only on the batch (the teacher never changes) and, in eval mode, each clip's logits are the same bits
/// whatever clips share its batch (tested), so chunked logits equal the whole batch's.
/// Any lane may take the next chunk (<see cref="TryRunChunk"/>); a chunk that fails makes the whole result void (the
/// step computes the logits itself, and meets the error there if it is real).
/// </summary>
internal sealed class UpcomingTeacherLogits
{
    /// <summary>Chunks per batch: fine enough that the last one delays a step little, coarse enough that the teacher's
    /// per-op costs stay amortized (a forward of 8 clips costs a quarter of 32, measured at the demo's sizes).</summary>
    public const int Chunks = 4;

    private readonly FrozenTeacher _teacher;
    private readonly float[] _logits;
    private readonly int _clips, _classes, _clipsPerChunk, _chunks;
    private int _next = -1, _done, _failed;

    public UpcomingTeacherLogits(FrozenTeacher teacher, Tensor features, int classes)
    {
        _teacher = teacher;
        Features = features;
        _clips = features.Shape[0];
        _classes = classes;
        _clipsPerChunk = (_clips + Chunks - 1) / Chunks;
        _chunks = (_clips + _clipsPerChunk - 1) / _clipsPerChunk;
        _logits = new float[_clips * classes];
    }

    /// <summary>The batch these logits are for (the prefetched tensor itself: a step matches it by reference).</summary>
    public Tensor Features { get; }

    /// <summary>Computes the next chunk not yet taken; false when every chunk has been taken.</summary>
    public bool TryRunChunk()
    {
        int k = Interlocked.Increment(ref _next);
        if (k >= _chunks) return false;
        try
        {
            int start = k * _clipsPerChunk, count = Math.Min(_clipsPerChunk, _clips - start);
            var logits = _teacher.Logits(TensorOps.Slice(Features, 0, start, count));
            if (logits.Numel != count * _classes) throw new InvalidOperationException("teacher logits of an unexpected shape");
            logits.Span.CopyTo(_logits.AsSpan(start * _classes, count * _classes)); // out of the lane's arena at once
        }
        catch (Exception)
        {
            Volatile.Write(ref _failed, 1);
        }
        Interlocked.Increment(ref _done);
        return true;
    }

    /// <summary>The logits (clips, classes) when every chunk has completed without error; otherwise null.</summary>
    public Tensor? Result => Volatile.Read(ref _done) == _chunks && Volatile.Read(ref _failed) == 0 ? new Tensor(_logits, _clips, _classes) : null;
}
