import ArgumentParser
import Foundation
import SynapseLocalCore

extension ServiceName: ExpressibleByArgument {}
