/// Who may talk to whom, as the guide's security section asks: nothing by default; DNS for every
/// pod; only the backend reaches the model services and the database; the backend and frontend
/// take traffic from anywhere on their ports; the store's fill Job reaches the Hub over HTTPS; the
/// pods of a multi-node llm reach each other (Ray).
extension KubernetesManifests {
  func networkPolicies() -> [ManifestNode] {
    func pods(_ name: String) -> ManifestNode { ["podSelector": ["matchLabels": [Self.nameLabel: .string(name)]]] }
    func port(_ number: Int, _ proto: String = "TCP") -> ManifestNode { ["protocol": .string(proto), "port": .int(number)] }
    func policy(_ name: String, selector: ManifestNode, _ rules: [(String, ManifestNode)]) -> ManifestNode {
      let types: [ManifestNode] = rules.map { $0.0 == "ingress" ? "Ingress" : "Egress" }
      return [
        "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
        "metadata": ["name": .string(name), "labels": [Self.partOf: "synapse"]],
        "spec": .map([("podSelector", selector), ("policyTypes", .list(types))] + rules),
      ]
    }
    let models: [(String, Int)] = [("db", 5432), ("llm", c.llm.port), ("embedding", c.embedding.port)]
    var policies: [ManifestNode] = [
      policy("default-deny", selector: [:], [("ingress", []), ("egress", [])]),
      policy(
        "allow-dns", selector: [:],
        [
          // Port 53 anywhere: kube-dns, NodeLocal DNSCache (169.254.20.10) and OpenShift's DNS alike.
          ("egress", [["ports": [port(53, "UDP"), port(53)]]])
        ]),
    ]
    for (name, number) in models {
      policies.append(
        policy(
          "\(name)-from-backend", selector: ["matchLabels": [Self.nameLabel: .string(name)]],
          [("ingress", [["from": [pods("backend")], "ports": [port(number)]]])]))
    }
    if c.backend.enabled {
      policies.append(
        policy(
          "backend", selector: ["matchLabels": [Self.nameLabel: "backend"]],
          [
            ("ingress", [["ports": [port(c.backend.port)]]]),
            ("egress", .list(models.map { name, number in ["to": [pods(name)], "ports": [port(number)]] })),
          ]))
    }
    if c.frontend.enabled {
      // A server-rendered frontend calls the backend from its pod.
      let egress: [(String, ManifestNode)] =
        c.backend.enabled ? [("egress", [["to": [pods("backend")], "ports": [port(c.backend.port)]]])] : []
      policies.append(
        policy(
          "frontend", selector: ["matchLabels": [Self.nameLabel: "frontend"]], [("ingress", [["ports": [port(c.frontend.port)]]])] + egress)
      )
    }
    policies.append(
      policy("model-store-fill", selector: ["matchLabels": [Self.nameLabel: "model-store-fill"]], [("egress", [["ports": [port(443)]]])]))
    if stack.multiNode != nil {
      // Ray's head, object store and workers use many ports: the group talks freely within itself.
      policies.append(
        policy(
          "llm-ray", selector: ["matchLabels": [Self.nameLabel: "llm"]],
          [("ingress", [["from": [pods("llm")]]]), ("egress", [["to": [pods("llm")]]])]))
    }
    return policies
  }

  /// `kubectl apply -k DIR`: the namespace, the files, and the database Secret made from the
  /// password file (0600, never in a manifest).
  func kustomization(resources: [String]) -> ManifestNode {
    [
      "apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", "namespace": .string(stack.request.namespace),
      "resources": .list(resources.map { .string($0) }),
      "secretGenerator": [["name": "db", "files": [.string("password=" + Self.secretFile)]]],
    ]
  }
}
