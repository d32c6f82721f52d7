using System.Security.Cryptography;
using System.Text;
using AecOfa.Audio.Datasets;

namespace AecOfa.Audio.Features;

/// <summary>
/// The cache key: SHA-256 over the format version, the extractor's ConfigKey, sample rate and bins, the
/// manifest's canonical content hash and the clip length policy. Any change to one of them means a rebuild.
/// Audio file contents are not hashed (that would read the whole dataset); replace files => delete the cache.
/// </summary>
public static class FeatureCacheKey
{
    public static byte[] Compute(Manifest manifest, IFeatureExtractor extractor, ClipLengthPolicy length)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(extractor);
        ArgumentNullException.ThrowIfNull(length);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string s)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(s));
            hash.AppendData([0]);
        }
        Add("AecOfa.FeatureCache");
        Add(FeatureCacheHeader.CurrentVersion.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Add(extractor.ConfigKey);
        Add($"{extractor.SampleRate}Hz {extractor.Bins}bins");
        Add(Convert.ToHexString(manifest.ContentHash()));
        Add(length.Key);
        return hash.GetHashAndReset();
    }
}
