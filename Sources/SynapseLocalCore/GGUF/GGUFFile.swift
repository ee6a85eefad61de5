/// A GGUF file's header: version, every metadata key/value in file order, and the tensor table.
public struct GGUFFile: Sendable {
  public struct Tensor: Sendable, Equatable {
    public var name: String
    public var dimensions: [UInt64]
    public var type: GGMLType
    /// From the start of the tensor data section.
    public var offset: UInt64
    public var elementCount: UInt64
    public var byteCount: UInt64
  }

  public var version: UInt32
  public var metadata: [(key: String, value: GGUFValue)]
  public var tensors: [Tensor]
  public var alignment: UInt64
  /// Where tensor data begins: the end of the header, rounded up to the alignment.
  public var dataOffset: UInt64
  public var fileSize: UInt64

  public subscript(key: String) -> GGUFValue? {
    metadata.first { $0.key == key }?.value
  }

  /// The sum of the tensors' sizes, checked by the reader to fit in the file.
  public var tensorBytes: UInt64
  public var parameterCount: UInt64
}
