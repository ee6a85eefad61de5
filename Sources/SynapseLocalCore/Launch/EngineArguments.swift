import Foundation
import SynapseLocalSystem

/// The engine's command line from the project's `llm` settings: one source for the supervisor,
/// the compose file, `bench` and `tune`. llama.cpp's speed flags appear only when they differ from
/// its defaults, so a plain plan reads plainly.
public enum EngineArguments {
  /// llama-server's flags that change speed, not what is served: what `tune` varies and
  /// measurements record.
  public static func llamaCppSpeedFlags(_ llm: ProjectConfiguration.LLM) -> [String] {
    var flags = ["-t", String(llm.threads)]
    if llm.threadsBatch > 0 && llm.threadsBatch != llm.threads { flags += ["-tb", String(llm.threadsBatch)] }
    if llm.batchSize != 2048 { flags += ["-b", String(llm.batchSize)] }
    if llm.ubatchSize != 512 { flags += ["-ub", String(llm.ubatchSize)] }
    if llm.flashAttention != .auto { flags += ["-fa", llm.flashAttention.rawValue] }
    if llm.mlock { flags.append("--mlock") }
    flags += ["-ngl", String(llm.gpuLayers)]
    return flags
  }

  /// `--metrics`: its token counts reach the status port's `/metrics`.
  public static func llamaCpp(model: String, host: String, port: Int, llm: ProjectConfiguration.LLM, context: Int? = nil) -> [String] {
    ["-m", model, "--host", host, "--port", String(port), "-c", String(context ?? llm.context)] + llamaCppSpeedFlags(llm)
      + ["--alias", llm.servedName, "--metrics"] + (llm.chatTemplate.isEmpty ? [] : ["--chat-template", llm.chatTemplate])
  }

  /// llama-server as the embedding service: `/v1/embeddings` with the model's own pooling (from
  /// the converted GGUF), normalized as sentence-transformers' Normalize does. BERT attends to a
  /// whole input at once, so one input must fit in a micro-batch: the context and both batch sizes
  /// are the model's trained context, on one slot.
  public static func llamaCppEmbedding(model: String, host: String, port: Int, servedName: String, context: Int) -> [String] {
    let tokens = String(max(64, context))
    return [
      "-m", model, "--embedding", "--host", host, "--port", String(port), "--alias", servedName, "-c", tokens, "-b", tokens, "-ub",
      tokens, "--parallel", "1", "--metrics",
    ]
  }

  /// `serve` is the subcommand natively; the OpenAI image's entry point takes `--model` instead.
  public static func vllm(model: [String], host: String, port: Int, llm: ProjectConfiguration.LLM, context: Int? = nil) -> [String] {
    model + [
      "--served-model-name", llm.servedName, "--host", host, "--port", String(port), "--max-model-len", String(context ?? llm.context),
      "--gpu-memory-utilization", String(format: "%.2f", llm.gpuMemoryUtilization), "--tensor-parallel-size",
      String(llm.tensorParallelSize),
    ] + (llm.pipelineParallelSize > 1 ? ["--pipeline-parallel-size", String(llm.pipelineParallelSize)] : [])
  }
}
