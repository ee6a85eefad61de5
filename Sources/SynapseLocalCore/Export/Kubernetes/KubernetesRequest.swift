/// What `export kubernetes` is asked for. The parsing of each option lives here, so the command
/// only passes text through and a malformed value is one line naming the option.
public struct KubernetesRequest: Sendable {
  public var project: String
  public var output: String
  public var namespace = "synapse"
  /// Replicas of the model services (`--replicas llm=2,embedding=3`).
  public var replicas: [ServiceName: Int] = [.llm: 1, .embedding: 1]
  /// Images built from the user's checkout: embedding, backend, frontend (`--image ROLE=REF`).
  public var images: [ServiceName: String] = [:]
  /// GPUs on each node: a vLLM plan needing more is split across nodes (LeaderWorkerSet).
  public var gpusPerNode: Int?
  public var storageClass: String?
  /// The model store's PVC can be mounted by pods on several nodes (ReadWriteMany).
  public var sharedStore = false
  /// Where the llm's pods may run: `--node-selector KEY=VALUE`, `--toleration KEY[=VALUE]:EFFECT`.
  public var nodeSelector: [(String, String)] = []
  public var tolerations: [Toleration] = []

  public struct Toleration: Sendable, Equatable {
    public var key: String
    public var value: String?
    public var effect: String
  }

  public init(project: String, output: String) {
    self.project = project
    self.output = output
  }

  /// The services whose images come from the user's checkout, not from profiles/images.yaml.
  public static let builtServices: [ServiceName] = [.embedding, .backend, .frontend]

  /// `--namespace`: a DNS-1123 label, as Kubernetes requires.
  public static func namespace(_ text: String) throws(ExportError) -> String {
    let allowed = text.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" }
    guard (1...63).contains(text.count), allowed, text.first?.isLetter == true || text.first?.isNumber == true,
      text.last != "-"
    else {
      throw .badOption(
        "--namespace '\(text)' is not a Kubernetes namespace name: lowercase letters, digits and '-', at most 63, starting and ending with a letter or digit"
      )
    }
    return text
  }

  /// `--replicas llm=N,embedding=N` (either may be left out).
  public static func replicas(_ text: String) throws(ExportError) -> [ServiceName: Int] {
    var result: [ServiceName: Int] = [:]
    for part in text.split(separator: ",", omittingEmptySubsequences: false) {
      let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
      guard pair.count == 2, let service = ServiceName(rawValue: pair[0]), service == .llm || service == .embedding,
        let count = Int(pair[1]), (1...64).contains(count), result[service] == nil
      else {
        throw .badOption(
          "--replicas '\(text)' is not SERVICE=N[,SERVICE=N] with llm or embedding and N from 1 to 64 (e.g. llm=2,embedding=3)")
      }
      result[service] = count
    }
    return result
  }

  /// `--image ROLE=REF` for embedding, backend or frontend.
  public static func image(_ text: String) throws(ExportError) -> (ServiceName, String) {
    let pair = text.split(separator: "=", maxSplits: 1).map(String.init)
    let roles = builtServices.map(\.rawValue).joined(separator: ", ")
    guard pair.count == 2, !pair[1].isEmpty, !pair[1].contains(where: \.isWhitespace) else {
      throw .badOption("--image '\(text)' is not ROLE=IMAGE (ROLE is \(roles); e.g. backend=registry.example/synapse-api:1.4)")
    }
    guard let role = ServiceName(rawValue: pair[0]), builtServices.contains(role) else {
      throw .badOption(
        "--image: '\(pair[0])' is not a role built from your checkout (\(roles)); the engines' and the database's images are pinned in profiles/images.yaml"
      )
    }
    return (role, pair[1])
  }

  /// `--node-selector KEY=VALUE`.
  public static func nodeSelector(_ text: String) throws(ExportError) -> (String, String) {
    let pair = text.split(separator: "=", maxSplits: 1).map(String.init)
    guard pair.count == 2, !pair[0].isEmpty, !text.contains(where: \.isWhitespace) else {
      throw .badOption("--node-selector '\(text)' is not KEY=VALUE (e.g. nvidia.com/gpu.present=true)")
    }
    return (pair[0], pair[1])
  }

  /// `--toleration KEY[=VALUE]:EFFECT`, EFFECT one of NoSchedule, PreferNoSchedule, NoExecute.
  public static func toleration(_ text: String) throws(ExportError) -> Toleration {
    let effects = ["NoSchedule", "PreferNoSchedule", "NoExecute"]
    guard let colon = text.lastIndex(of: ":"), effects.contains(String(text[text.index(after: colon)...])) else {
      throw .badOption(
        "--toleration '\(text)' is not KEY[=VALUE]:EFFECT with EFFECT \(effects.joined(separator: ", ")) (e.g. nvidia.com/gpu:NoSchedule)")
    }
    let head = text[..<colon].split(separator: "=", maxSplits: 1).map(String.init)
    guard let key = head.first, !key.isEmpty else { throw .badOption("--toleration '\(text)' has no KEY before ':'") }
    return Toleration(key: key, value: head.count == 2 ? head[1] : nil, effect: String(text[text.index(after: colon)...]))
  }
}
