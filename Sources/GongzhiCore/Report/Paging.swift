/// One page of a bounded listing: `page` counts from 1, `per` rows a page. Both are clamped (page to
/// 1...``maxPage``, per to 1...`maxPer`) so that the offset can never overflow, whatever a URL asks for.
public struct Paging: Sendable, Equatable {
    /// The highest page number honoured; beyond it the listing is empty anyway.
    public static let maxPage = 1_000_000

    public let page: Int
    public let per: Int

    public init(page: Int, per: Int, maxPer: Int) {
        self.page = min(max(page, 1), Self.maxPage)
        self.per = min(max(per, 1), max(maxPer, 1))
    }

    /// Rows before this page.
    public var offset: Int { (page - 1) * per }

    /// The rows of this page, as offsets.
    public var range: Range<Int> { offset..<(offset + per) }
}
