using System.Text;

namespace AecOfa.Audio.IO;

/// <summary>
/// Writes a file so readers see either the old or the complete new content: the bytes go to a temporary file in
/// the same folder (same volume, so the rename is atomic), which then replaces the target. Temp files of the same
/// target left behind by a killed writer are removed by the next write; file-system errors name the target file,
/// not the temp file.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes through <paramref name="write"/> into a temp file, flushes to disk, then renames it over <paramref name="path"/>.</summary>
    public static void Write(string path, Action<FileStream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' has no folder.", nameof(path));
        string temp = Path.Combine(folder, $"{TempPrefix(full)}{Guid.NewGuid():N}.tmp");
        FileStream stream;
        try
        {
            Directory.CreateDirectory(folder);
            RemoveStaleTempFiles(full);
            stream = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Named(full, temp, e);
        }
        try
        {
            using (stream)
            {
                write(stream);
                FileSystemStep(full, temp, () => stream.Flush(flushToDisk: true));
            }
            FileSystemStep(full, temp, () => File.Move(temp, full, overwrite: true));
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 without a byte order mark.</summary>
    public static void WriteAllText(string path, string text) =>
        Write(path, stream =>
        {
            byte[] bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text);
            stream.Write(bytes);
        });

    /// <summary>Temp files of <paramref name="fullPath"/> are named "{TempPrefix}{guid}.tmp" in its folder.</summary>
    public static string TempPrefix(string fullPath) => $".{Path.GetFileName(fullPath)}.";

    /// <summary>
    /// Deletes temp files of this target left by a killed writer. A live writer holds its temp file open with
    /// FileShare.None (an exclusive lock), so the exclusive open below fails for it and its file is kept.
    /// </summary>
    public static int RemoveStaleTempFiles(string fullPath)
    {
        string? folder = Path.GetDirectoryName(fullPath);
        if (folder is null || !Directory.Exists(folder)) return 0;
        string prefix = TempPrefix(fullPath);
        int removed = 0;
        foreach (string candidate in Directory.EnumerateFiles(folder, prefix + "*.tmp"))
        {
            string middle = Path.GetFileName(candidate)[prefix.Length..^".tmp".Length];
            if (middle.Length != 32 || !middle.All(Uri.IsHexDigit)) continue; // not one of ours
            try
            {
                using (new FileStream(candidate, FileMode.Open, FileAccess.ReadWrite, FileShare.None)) { }
                File.Delete(candidate);
                removed++;
            }
            catch (IOException) { }                 // in use by a live writer, or already gone
            catch (UnauthorizedAccessException) { } // not ours to delete
        }
        return removed;
    }

    private static void FileSystemStep(string target, string temp, Action step)
    {
        try { step(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw Named(target, temp, e); }
    }

    /// <summary>The same kind of exception, naming the target instead of the temp file.</summary>
    private static Exception Named(string target, string temp, Exception e)
    {
        string message = $"Cannot write '{target}': {Reason(e, temp, target)}";
        return e switch
        {
            UnauthorizedAccessException => new UnauthorizedAccessException(message, e),
            DirectoryNotFoundException => new DirectoryNotFoundException(message, e),
            _ => new IOException(message, e),
        };
    }

    private static string Reason(Exception e, string temp, string target) => e switch
    {
        UnauthorizedAccessException => "permission denied (is the file or its folder read-only?)",
        DirectoryNotFoundException => "its folder does not exist and could not be created",
        PathTooLongException => "the path is too long",
        _ => e.Message.Replace(temp, target, StringComparison.Ordinal).ReplaceLineEndings(" "),
    };

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
