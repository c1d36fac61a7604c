extension Result {
    /// The error, or nil on success.
    public var failure: Failure? {
        if case .failure(let failure) = self { return failure }
        return nil
    }
}
