using System.Text;
using AecOfa.Engine.IO;
using AecOfa.Engine.Nn;

namespace AecOfa.Engine.Tests.BadInput;

/// <summary>
/// Bad-input suite for stored files (checkpoints, safetensors, atomic writes): every case is generated here, asserts
/// the exception type, that the message names the file, and that nothing already saved (the model's weights, the
/// existing file) was damaged.
/// </summary>
public class StoredFileBadInputTests
{
    private sealed class Net : Module
    {
        public Net(int seed)
        {
            var rng = SeededRandom.Create(seed);
            W = RegisterParameter("w", new Parameter(Tensor.Randn(rng, 1f, 2, 3).Data, new[] { 2, 3 }));
            RegisterBuffer("running", Tensor.Randn(rng, 1f, 3));
        }

        public Parameter W { get; }
    }

    private static Dictionary<string, float[]> Snapshot(Module m) => m.StateDict().ToDictionary(s => s.Name, s => s.Tensor.Data.ToArray());

    private static void AssertUnchanged(Dictionary<string, float[]> before, Module m)
    {
        foreach (var (name, t) in m.StateDict()) Assert.Equal(before[name], t.Data);
    }

    private static string Save(TempFolder dir, string name = "ckpt.safetensors")
    {
        string path = dir.File(name);
        Checkpoint.Save(path, new Net(1), step: 3, metadata: new Dictionary<string, string> { ["train.epoch"] = "3", ["loss_history"] = "[0.7,0.5]" });
        return path;
    }

    private static SafetensorsFormatException LoadFails(string path, byte[] bytes)
    {
        File.WriteAllBytes(path, bytes);
        var target = new Net(2);
        var before = Snapshot(target);
        var e = Assert.Throws<SafetensorsFormatException>(() => Checkpoint.Load(path, target));
        Assert.Contains(path, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        AssertUnchanged(before, target);                 // all-or-nothing: the model is untouched
        Assert.Equal(bytes, File.ReadAllBytes(path));    // reading never rewrites the file
        return e;
    }

    [Fact]
    public void EveryFlippedByteOfACheckpoint_IsDetected_HeaderMetadataHashAndDataAlike()
    {
        using var dir = new TempFolder();
        string good = Save(dir);
        var bytes = File.ReadAllBytes(good);
        string bad = dir.File("bad.safetensors");
        for (int i = 0; i < bytes.Length; i++)
            foreach (byte mask in new byte[] { 0x01, 0x80 })
            {
                var edited = (byte[])bytes.Clone();
                edited[i] ^= mask;
                File.WriteAllBytes(bad, edited);
                var target = new Net(2);
                var before = Snapshot(target);
                var e = Assert.ThrowsAny<IOException>(() => Checkpoint.Load(bad, target));
                Assert.True(e is SafetensorsFormatException or CheckpointException, $"byte {i} ^ {mask:X2}: {e.GetType().Name}: {e.Message}");
                Assert.Contains(bad, e.Message);
                AssertUnchanged(before, target);
            }
        Checkpoint.Load(good, new Net(2)); // the original is intact
    }

    private static byte[] Replace(byte[] bytes, string from, string to)
    {
        Assert.Equal(from.Length, to.Length);
        string text = Encoding.Latin1.GetString(bytes);
        int at = text.IndexOf(from, StringComparison.Ordinal);
        Assert.True(at >= 0, $"'{from}' not in the file");
        var edited = (byte[])bytes.Clone();
        Encoding.Latin1.GetBytes(to).CopyTo(edited, at);
        return edited;
    }

    [Theory]
    [InlineData("\"train.epoch\":\"3\"", "\"train.epoch\":\"4\"")]        // skipping an epoch
    [InlineData("[0.7,0.5]", "[0.7,0.4]")]                              // a loss history edit
    [InlineData("\"aecofa.step\":\"3\"", "\"aecofa.step\":\"5\"")]      // the step
    public void EditedHeaderMetadata_IsDetected(string from, string to)
    {
        using var dir = new TempFolder();
        var bytes = File.ReadAllBytes(Save(dir));
        var e = LoadFails(dir.File("edited.safetensors"), Replace(bytes, from, to));
        Assert.Contains("corrupt or was edited", e.Message);
    }

    [Fact]
    public void EditedHashValue_IsDetected()
    {
        using var dir = new TempFolder();
        var bytes = File.ReadAllBytes(Save(dir));
        string text = Encoding.Latin1.GetString(bytes);
        int at = text.IndexOf("\"aecofa.file_sha256\":\"", StringComparison.Ordinal) + "\"aecofa.file_sha256\":\"".Length;
        var edited = (byte[])bytes.Clone();
        edited[at + 10] = edited[at + 10] == (byte)'a' ? (byte)'b' : (byte)'a';
        Assert.Contains("corrupt or was edited", LoadFails(dir.File("hash.safetensors"), edited).Message);
    }

    [Theory]
    [InlineData("aecofa.file_sha256", "aecofa.file_sha257")]   // renamed key: no hash any more
    [InlineData("aecofa.file_sha256", "aecofa.data_sha256")]   // "downgraded" to the legacy data-only hash
    public void RenamedHashKey_IsRefused(string from, string to)
    {
        using var dir = new TempFolder();
        var bytes = File.ReadAllBytes(Save(dir));
        Assert.Contains("no 'aecofa.file_sha256' integrity hash", LoadFails(dir.File("renamed.safetensors"), Replace(bytes, from, to)).Message);
    }

    [Fact]
    public void HashKeyWrittenWithAJsonEscape_IsRefused()
    {
        using var dir = new TempFolder();
        var bytes = File.ReadAllBytes(Save(dir));
        // Same key after JSON unescaping, but not the writer's byte form: the hash cannot be located, so refused.
        var edited = Encoding.Latin1.GetBytes(Encoding.Latin1.GetString(bytes)
            .Replace("\"aecofa.file_sha256\":", "\"aecofa.file\\u005fsha256\":", StringComparison.Ordinal));
        Assert.Equal(bytes.Length + 5, edited.Length);
        // Keep the declared header length consistent with the longer header so only the hash check can object.
        ulong n = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(edited, n + 5);
        var e = LoadFails(dir.File("escaped.safetensors"), edited);
        Assert.True(e.Message.Contains("not in the form") || e.Message.Contains("corrupt"), e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(12)]
    [InlineData(100)]
    [InlineData(-1)]
    [InlineData(-4)]
    public void TruncatedCheckpoint_IsReported(int keep)
    {
        using var dir = new TempFolder();
        var bytes = File.ReadAllBytes(Save(dir));
        int length = keep >= 0 ? keep : bytes.Length + keep;
        LoadFails(dir.File("short.safetensors"), bytes[..length]);
    }

    [Fact]
    public void AppendedBytes_AreReported()
    {
        using var dir = new TempFolder();
        var bytes = File.ReadAllBytes(Save(dir));
        Assert.Contains("extra bytes", LoadFails(dir.File("long.safetensors"), [.. bytes, 0, 0, 0, 0]).Message);
    }

    [Fact]
    public void ExternalFileWithoutHash_IsReadOnlyWhenImportedExplicitly()
    {
        using var dir = new TempFolder();
        string path = dir.File("external.safetensors");
        var header = Encoding.UTF8.GetBytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}");
        var bytes = new byte[8 + header.Length + 4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        BitConverter.GetBytes(2.5f).CopyTo(bytes, 8 + header.Length);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("external", e.Message);
        var content = SafetensorsFile.Read(path, external: true);
        Assert.Equal(new[] { 2.5f }, content["w"].Data);
        Assert.False(content.IntegrityVerified);
    }

    // ---- Atomic writes: stale temp files and errors that name the target ----

    [Fact]
    public void StaleTempFilesOfAKilledWrite_AreRemovedByTheNextWriteToTheSameTarget()
    {
        using var dir = new TempFolder();
        string target = dir.File("model.safetensors");
        string stale1 = dir.File($".model.safetensors.{Guid.NewGuid():N}.tmp");
        string stale2 = dir.File($".model.safetensors.{Guid.NewGuid():N}.tmp");
        string otherTarget = dir.File($".other.safetensors.{Guid.NewGuid():N}.tmp");
        string notOurs = dir.File(".model.safetensors.keep-me.tmp");
        foreach (var f in new[] { stale1, stale2, otherTarget, notOurs }) File.WriteAllText(f, "partial");
        SafetensorsFile.Write(target, new[] { ("w", Tensor.Zeros(2)) });
        Assert.False(File.Exists(stale1));
        Assert.False(File.Exists(stale2));
        Assert.True(File.Exists(otherTarget)); // another target's temp: not this write's business
        Assert.True(File.Exists(notOurs));     // not a name this writer makes
        Assert.True(SafetensorsFile.Read(target).IntegrityVerified);
    }

    [Fact]
    public void ATempFileHeldOpenByALiveWriter_IsKept()
    {
        using var dir = new TempFolder();
        string target = dir.File("model.safetensors");
        string live = dir.File($".model.safetensors.{Guid.NewGuid():N}.tmp");
        using (var held = new FileStream(live, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None))
        {
            AtomicFile.WriteAllText(target, "new");
            Assert.True(File.Exists(live));
        }
        Assert.Equal("new", File.ReadAllText(target));
    }

    [Fact]
    public void AnUnwritableTarget_IsNamedInTheError_NotTheTempFile_AndTheOldContentSurvives()
    {
        using var dir = new TempFolder();
        // A target that is a non-empty folder cannot be replaced by the rename (works as root too, unlike chmod).
        string target = dir.File("busy");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "inside.txt"), "kept");
        var e = Assert.ThrowsAny<Exception>(() => AtomicFile.WriteAllText(target, "new"));
        Assert.True(e is IOException or UnauthorizedAccessException, e.GetType().Name);
        Assert.Contains($"'{target}'", e.Message);
        Assert.DoesNotContain(".tmp", e.Message);
        Assert.Equal("kept", File.ReadAllText(Path.Combine(target, "inside.txt")));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp")); // the temp file was cleaned up

        // A folder that is a file: the folder cannot be created.
        string blocker = dir.File("plain-file");
        File.WriteAllText(blocker, "x");
        string below = Path.Combine(blocker, "model.safetensors");
        var e2 = Assert.ThrowsAny<Exception>(() => SafetensorsFile.Write(below, new[] { ("w", Tensor.Zeros(1)) }));
        Assert.True(e2 is IOException or UnauthorizedAccessException, e2.GetType().Name);
        Assert.Contains(below, e2.Message);
        Assert.DoesNotContain(".tmp", e2.Message);
        Assert.Equal("x", File.ReadAllText(blocker));
    }
}
