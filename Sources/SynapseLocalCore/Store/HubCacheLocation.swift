import SynapseLocalSystem

/// Where the Hugging Face cache (our model store) lives, resolved as huggingface_hub resolves it:
/// `HF_HUB_CACHE`, else `$HF_HOME/hub`, else `$XDG_CACHE_HOME/huggingface/hub`, else
/// `~/.cache/huggingface/hub`.
public enum HubCacheLocation {
  public static func path(environment: [String: String]) -> String {
    if let cache = nonEmpty(environment["HF_HUB_CACHE"]) { return expandTilde(cache, environment) }
    if let home = nonEmpty(environment["HF_HOME"]) { return expandTilde(home, environment) + "/hub" }
    if let xdg = nonEmpty(environment["XDG_CACHE_HOME"]) { return expandTilde(xdg, environment) + "/huggingface/hub" }
    return (nonEmpty(environment["HOME"]) ?? "/root") + "/.cache/huggingface/hub"
  }

  static func nonEmpty(_ value: String?) -> String? {
    guard let value, !value.isEmpty else { return nil }
    return value
  }

  public static func expandTilde(_ path: String, _ environment: [String: String]) -> String {
    AbsolutePath.expandTilde(path, environment)
  }
}
