using System.Text.Json.Serialization;

namespace PeftSharp.Models.Llama;

/// <summary>
/// HF <c>rope_scaling</c>: <c>llama3</c> (factor, low_freq_factor, high_freq_factor,
/// original_max_position_embeddings) or <c>linear</c> (factor). Other types are rejected.
/// </summary>
[JsonConverter(typeof(RopeScalingJsonConverter))]
public sealed record RopeScaling(string Type, double Factor, double LowFreqFactor = 1, double HighFreqFactor = 4, int OriginalMaxPositionEmbeddings = 8192);
