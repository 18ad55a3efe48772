extension LumbungError {
    /// The same error, with its field set to where a decoder found the value
    /// (`members[2].nik`), so a bad value in a large JSON file can be located.
    func at(_ codingPath: [any CodingKey]) -> LumbungError {
        guard !codingPath.isEmpty else { return self }
        var path = ""
        for key in codingPath {
            if let index = key.intValue {
                path += "[\(index)]"
            } else {
                if !path.isEmpty { path += "." }
                path += key.stringValue
            }
        }
        var copy = self
        copy.field = path
        return copy
    }
}
