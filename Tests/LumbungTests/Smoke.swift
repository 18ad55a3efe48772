import Testing
@testable import Lumbung
