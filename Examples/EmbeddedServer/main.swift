// Lumbung's HTTP API inside your own Hummingbird application: your routes and context, with
// Lumbung's routes mounted under /lumbung.
//
//   swift run EmbeddedServerExample /var/lib/lumbung/3216
//   curl http://127.0.0.1:8081/lumbung/health
//   curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8081/lumbung/v1/stats
import Hummingbird
import Logging
import Lumbung
import LumbungHTTP

/// Your application's request context; Lumbung's routes need only `access`.
struct AppContext: LumbungRequestContext {
    var coreContext: CoreRequestContextStorage
    var access = RequestAccess()

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }
}

let path = CommandLine.arguments.dropFirst().first ?? "./lumbung-data"
let store = try Store(path: path)

let router = Router(context: AppContext.self)
router.get("/") { _, _ in "Your front-end here; the register is under /lumbung.\n" }

var configuration = LumbungAPI<AppContext>.Configuration()
configuration.bodyLimit = 512 * 1024
let api = LumbungAPI<AppContext>(store: store, configuration: configuration)
api.addRoutes(to: router.group("lumbung"))

// Optional: answer the plain persons look-up on the event loop, as `lumbung serve` does.
let logger = Logger(label: "embedded-server")
let fastPath = api.personLookupFastPath(logger: logger, mountedAt: "lumbung")
let app = Application(
    router: router, server: .http1(configuration: .init(additionalChannelHandlers: fastPath.handlers())),
    configuration: .init(address: .hostname("127.0.0.1", port: 8081)), logger: logger)
try await app.runService()
