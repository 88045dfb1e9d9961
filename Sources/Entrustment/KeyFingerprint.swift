/// A public key's fingerprint, read aloud between a court's operator and hub staff (as with SSH
/// host keys) before a registration is approved: the first 10 bytes of the network suite's hash
/// (SHA-256 or SM3) of the key's bytes, as 20 lowercase hex digits in groups of four
/// (`3f9a-1c2e-77b0-d41a-0c55`).
public enum KeyFingerprint {
    /// The fingerprint of a key given as hex digits (of the text itself if it is not hex).
    public static func of(publicKeyHex hex: String, suite: SignatureSuite) -> String {
        let bytes = Hex.decode(hex) ?? Array(hex.utf8)
        let digits = Hex.encode(Array(suite.hash(bytes).prefix(10)))
        return stride(from: 0, to: digits.count, by: 4).map { start in
            let from = digits.index(digits.startIndex, offsetBy: start)
            return String(digits[from..<digits.index(from, offsetBy: 4)])
        }.joined(separator: "-")
    }

    /// Whether `typed` (as an operator types it: any case, with or without the dashes or spaces)
    /// is the fingerprint of the key.
    public static func matches(_ typed: String, publicKeyHex hex: String, suite: SignatureSuite) -> Bool {
        let normalised = typed.lowercased().filter { $0 != "-" && $0 != " " && $0 != ":" }
        return !normalised.isEmpty && normalised == of(publicKeyHex: hex, suite: suite).filter { $0 != "-" }
    }
}
