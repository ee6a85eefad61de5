import Foundation
import SynapseLocalSystem

/// Who made a GPU. Only NVIDIA GPUs run CUDA; an AMD GPU is offloaded to through ROCm or Vulkan.
public enum GPUVendor: String, Codable, Sendable, Equatable {
  case nvidia
  case amd
}
