import Entrustment
import Foundation
import SyncProtocol

/// The libFuzzer entry point for the change-set decoder (`docs/fuzzing.md`): whatever the bytes,
/// decoding either refuses them with a ``ChangeSetError`` or yields a set that re-encodes and
/// decodes to the same events. The same bytes also go to the two parsers inside it that the
/// checksum shields from blind mutation: the canonical event decoder and bounded zlib. A crash,
/// a hang, or memory beyond the limits is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func changeSetFuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    if let event = try? Event(decoding: bytes, suite: .ed25519), event.encoded != bytes {
        fatalError("an event decoded from bytes that are not its canonical encoding")
    }
    _ = try? Zlib.decompress(bytes, limit: 1 << 20)
    let limits = ChangeSetLimits(maxEncodedBytes: 1 << 20, maxPayloadBytes: 4 << 20, maxEvents: 10_000)
    for suite in SignatureSuite.allCases {
        guard let set = try? ChangeSetCodec.decode(bytes, suite: suite, limits: limits) else { continue }
        guard let again = try? ChangeSetCodec.encode(set),
            let decoded = try? ChangeSetCodec.decode(again, suite: suite),
            decoded == set, decoded.events.map(\.signature) == set.events.map(\.signature)
        else {
            fatalError("a decoded change set did not survive re-encoding (\(bytes.count) input bytes)")
        }
    }
    return 0
}

#if FUZZING
    /// libFuzzer's driver (in the runtime that `-sanitize=fuzzer` links).
    @_silgen_name("LLVMFuzzerRunDriver")
    func runFuzzerDriver(
        _ argc: UnsafeMutablePointer<CInt>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt
#endif

/// With `-DFUZZING` (and `-sanitize=fuzzer`), hands the command line to libFuzzer. In a normal
/// build, replays the files and folders given as arguments through the same entry point, as a
/// regression check of a corpus.
@main
struct ChangeSetFuzzMain {
    static func main() {
        #if FUZZING
            var argc = CommandLine.argc
            var argv = CommandLine.unsafeArgv
            exit(runFuzzerDriver(&argc, &argv, changeSetFuzzInput))
        #else
            var files: [URL] = []
            for argument in CommandLine.arguments.dropFirst() {
                let url = URL(fileURLWithPath: argument)
                if let children = FileManager.default.enumerator(at: url, includingPropertiesForKeys: nil) {
                    files += children.compactMap { $0 as? URL }.filter { !$0.hasDirectoryPath }
                } else {
                    files.append(url)
                }
            }
            for file in files {
                guard let data = try? Data(contentsOf: file) else { continue }
                _ = data.withUnsafeBytes { raw in
                    changeSetFuzzInput(raw.bindMemory(to: UInt8.self).baseAddress, raw.count)
                }
            }
            print("replayed \(files.count) inputs")
        #endif
    }
}
