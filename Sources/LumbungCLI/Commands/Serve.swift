import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Lumbung
import LumbungHTTP
import Metrics
import NIOCore
import NIOPosix
import Prometheus

/// `lumbung serve`: the HTTP API on one store.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the store over HTTP: the REST API under /v1, the DCI search, /health, /metrics.",
        discussion: """
            Every route but /health (and the console's files) needs `Authorization: Bearer <secret>` with a token from \
            `lumbung token create`; a token sees and changes only its wilayah scope. The API is \
            described by /openapi.yaml (served by the server itself).

            Each option falls back to an environment variable, then a default:
              --host        LUMBUNG_HOST        127.0.0.1
              --port        \(portSetting.variable)        \(portSetting.fallback) (0 picks a free port)
              --store       LUMBUNG_STORE       ./lumbung-data
              --body-limit  LUMBUNG_BODY_LIMIT  1048576 bytes (larger bodies get 413)
              --log-level   LUMBUNG_LOG_LEVEL   info (trace, debug, info, notice, warning, error, critical)
              --event-loops LUMBUNG_EVENT_LOOPS the number of cores
              --header-timeout  \(headerTimeoutSetting.variable)  \(headerTimeoutSetting.fallback) s for a request's head
              --body-timeout    \(bodyTimeoutSetting.variable)    \(bodyTimeoutSetting.fallback) s for its body
              --idle-timeout    \(idleTimeoutSetting.variable)    \(idleTimeoutSetting.fallback) s between requests
              --max-connections \(maxConnectionsSetting.variable) \(maxConnectionsSetting.fallback)

            A slow or silent client is cut off: a connection past one of its timeouts is closed \
            without an answer (no timeout runs while the server answers, so long polls and event \
            streams are unaffected). A connection over --max-connections is answered at once with \
            503 (`server.busy`, Retry-After: 1) and closed.

            With --console, /console/ serves the web console (Konsol Lumbung): open \
            http://HOST:PORT/console/ in a browser and sign in with a token.

            Prints `listening on http://HOST:PORT` on standard error once it accepts connections; \
            logs one line per request on standard error (the route pattern, never a NIK). SIGTERM \
            or SIGINT stops it gracefully: no new connections, in-flight requests finish, the \
            store is closed. Other processes (`lumbung import`, …) may use the store meanwhile; \
            their commits are visible to the next request.

            Example:
              lumbung token create --actor dinsos-bekasi --role admin --scope 32.16
              lumbung serve --store /var/lib/lumbung/3216 --host 0.0.0.0 --port 8080
              curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8080/v1/stats
            """)

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: ArgumentHelp("The address to listen on (default: $LUMBUNG_HOST, else 127.0.0.1).", valueName: "host"))
    var host: String?

    @Option(help: Serve.portSetting.help("The port", note: "0 picks a free one", valueName: "port"))
    var port: Int?

    @Option(name: .customLong("body-limit"), help: ArgumentHelp("The largest request body in bytes (default: $LUMBUNG_BODY_LIMIT, else 1048576).", valueName: "bytes"))
    var bodyLimit: Int?

    @Option(help: ArgumentHelp("Where point look-ups (a NIK, an id, a KK, a token) run: inline (in the request's task, the default: a few microseconds of mapped memory, cheaper than a hop to a queue) or queue (on the read queue, for a store much larger than memory; this also turns off the fast path that answers GET /v1/persons/{nik} on the event loop). Scans (pages, counts, snapshots, the change feed) always run on the read queue and writes on their own serial queue.", valueName: "mode"))
    var reads: StoreGateway.ReadExecution = .inline

    @Option(name: .customLong("event-loops"), help: ArgumentHelp("Threads that serve connections (default: $LUMBUNG_EVENT_LOOPS, else one per core). Fewer leave cores to other work on the machine.", valueName: "count"))
    var eventLoops: Int?

    @Option(name: .customLong(Serve.headerTimeoutSetting.flag), help: Serve.headerTimeoutSetting.help("Seconds a request's head may take to arrive, from its first byte", valueName: "seconds"))
    var headerTimeout: Int?

    @Option(name: .customLong(Serve.bodyTimeoutSetting.flag), help: Serve.bodyTimeoutSetting.help("Seconds a request's body may take to arrive, from its head", valueName: "seconds"))
    var bodyTimeout: Int?

    @Option(name: .customLong(Serve.idleTimeoutSetting.flag), help: Serve.idleTimeoutSetting.help("Seconds a connection may wait for its next request before it is closed", valueName: "seconds"))
    var idleTimeout: Int?

    @Option(name: .customLong(Serve.maxConnectionsSetting.flag), help: Serve.maxConnectionsSetting.help("Connections held at once; more are answered 503 and closed", valueName: "count"))
    var maxConnections: Int?

    /// A whole-number option's flag, environment variable, default and range: its help text and
    /// ``settings(environment:)`` both read them here.
    struct WholeSetting: Sendable {
        let flag: String
        let variable: String
        let fallback: Int
        let range: ClosedRange<Int>
        /// What the value is, in the refusal: `the header timeout in seconds is 1 to 3600, not …`.
        let what: String

        /// `text (default: $VARIABLE, else FALLBACK; note).`
        func help(_ text: String, note: String? = nil, valueName: String) -> ArgumentHelp {
            ArgumentHelp("\(text) (default: $\(variable), else \(fallback)\(note.map { "; " + $0 } ?? "")).", valueName: valueName)
        }
    }

    static let portSetting = WholeSetting(flag: "port", variable: "LUMBUNG_PORT", fallback: 8080, range: 0...65535, what: "port")
    static let headerTimeoutSetting = WholeSetting(flag: "header-timeout", variable: "LUMBUNG_HEADER_TIMEOUT", fallback: 10, range: 1...3600, what: "header timeout in seconds")
    static let bodyTimeoutSetting = WholeSetting(flag: "body-timeout", variable: "LUMBUNG_BODY_TIMEOUT", fallback: 30, range: 1...3600, what: "body timeout in seconds")
    static let idleTimeoutSetting = WholeSetting(flag: "idle-timeout", variable: "LUMBUNG_IDLE_TIMEOUT", fallback: 60, range: 1...3600, what: "idle timeout in seconds")
    static let maxConnectionsSetting = WholeSetting(flag: "max-connections", variable: "LUMBUNG_MAX_CONNECTIONS", fallback: 1024, range: 1...1_000_000, what: "connection limit")

    @Flag(help: "Serve the web console (Konsol Lumbung) at /console/: static pages that sign in with a token and work only through the /v1 API (default: off, /console/ is 404).")
    var console = false

    @Option(name: .customLong("log-level"), help: ArgumentHelp("trace, debug, info, notice, warning, error or critical (default: $LUMBUNG_LOG_LEVEL, else info).", valueName: "level"))
    var logLevel: String?

    /// The options after the environment and the defaults.
    struct Settings: Equatable {
        var host: String
        var port: Int
        var bodyLimit: Int
        var logLevel: Logger.Level
        var eventLoops: Int
        var timeouts: ConnectionTimeouts
        var maxConnections: Int
    }

    func settings(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Settings {
        func value(_ option: String?, _ variable: String) -> String? {
            if let option, !option.isEmpty { return option }
            if let text = environment[variable], !text.isEmpty { return text }
            return nil
        }
        func whole(_ option: Int?, _ setting: WholeSetting) throws -> Int {
            let text = value(option.map(String.init), setting.variable) ?? String(setting.fallback)
            guard let number = Int(text), setting.range.contains(number) else {
                throw ValidationError("the \(setting.what) is \(setting.range.lowerBound) to \(setting.range.upperBound), not '\(text)' (--\(setting.flag) or \(setting.variable))")
            }
            return number
        }
        let host = value(host, "LUMBUNG_HOST") ?? "127.0.0.1"
        let port = try whole(port, Self.portSetting)
        let limitText = value(bodyLimit.map(String.init), "LUMBUNG_BODY_LIMIT") ?? "1048576"
        guard let limit = Int(limitText), limit >= 1024 else {
            throw ValidationError("the body limit is at least 1024 bytes, not '\(limitText)' (--body-limit or LUMBUNG_BODY_LIMIT)")
        }
        let levelText = value(logLevel, "LUMBUNG_LOG_LEVEL") ?? "info"
        guard let level = Logger.Level(rawValue: levelText.lowercased()) else {
            throw ValidationError("the log level is trace, debug, info, notice, warning, error or critical, not '\(levelText)'")
        }
        let loopsText = value(eventLoops.map(String.init), "LUMBUNG_EVENT_LOOPS") ?? String(System.coreCount)
        guard let loops = Int(loopsText), (1...1024).contains(loops) else {
            throw ValidationError("the event loops are 1 to 1024, not '\(loopsText)' (--event-loops or LUMBUNG_EVENT_LOOPS)")
        }
        let timeouts = ConnectionTimeouts(
            header: .seconds(Int64(try whole(headerTimeout, Self.headerTimeoutSetting))),
            body: .seconds(Int64(try whole(bodyTimeout, Self.bodyTimeoutSetting))),
            idle: .seconds(Int64(try whole(idleTimeout, Self.idleTimeoutSetting))))
        let connections = try whole(maxConnections, Self.maxConnectionsSetting)
        return Settings(host: host, port: port, bodyLimit: limit, logLevel: level, eventLoops: loops, timeouts: timeouts, maxConnections: connections)
    }

    func run() async throws {
        let settings = try settings()
        let store = try storeOptions.open()
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory.lumbung(registry: registry))

        var configuration = LumbungAPI<LumbungBasicRequestContext>.Configuration()
        configuration.bodyLimit = settings.bodyLimit
        configuration.metricsRegistry = registry
        configuration.console = console
        let api = LumbungAPI<LumbungBasicRequestContext>(gateway: StoreGateway(store: store, readExecution: reads), configuration: configuration)

        var logger = Logger(label: "lumbung.http") { StandardErrorLogHandler(label: $0) }
        logger.logLevel = settings.logLevel
        let fastPath = api.personLookupFastPath(logger: logger, requestLogLevel: .info, serverName: "lumbung")
        let connectionLimit = ConnectionLimit(maximum: settings.maxConnections)
        let timeouts = settings.timeouts
        let app = Application(
            router: api.router(logLevel: .info),
            // The limit first, so a refused connection reaches nothing else.
            server: .http1(configuration: .init(additionalChannelHandlers: [connectionLimit.handler(), timeouts.handler()] + fastPath.handlers())),
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "lumbung"),
            onServerRunning: { channel in
                let address = channel.localAddress
                Terminal.note("listening on http://\(address?.ipAddress ?? settings.host):\(address?.port ?? settings.port) (store \(store.path))")
            },
            eventLoopGroupProvider: settings.eventLoops == System.coreCount
                ? .singleton : .shared(MultiThreadedEventLoopGroup(numberOfThreads: settings.eventLoops)),
            logger: logger)
        do {
            try await app.runService()
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            throw CLIError(
                message: "\(settings.host):\(settings.port) is already in use by another process; stop it or choose another port (--port or LUMBUNG_PORT)",
                exitCode: ExitCodes.usage)
        }
        Terminal.note("stopped; store closed")
    }
}

extension StoreGateway.ReadExecution: ExpressibleByArgument {}
