import Foundation

/// A bar chart drawn on the server as inline SVG: no JavaScript, no library, readable on screen and on paper.
///
/// One chart is a list of ``Bar``s (categories: a unit, a month, an error type), each with one value per
/// ``Series``; with several series the bars are stacked. Bars run left to right (``Orientation/horizontal``,
/// for rankings with long Chinese labels) or bottom to top (``Orientation/vertical``, for a time line).
///
/// ```swift
/// let chart = SVGChart(title: "按时率排名", bars: [
///     .init(label: "市住房保障和房产管理局", value: 87.5, link: "/units/housing"),
///     .init(label: "市公安局", value: 62.0),
/// ], scaleMax: 100, unit: "%")
/// let html = chart.svg()   // "<svg …>…</svg>", safe to insert unescaped into a page
/// ```
///
/// Shapes of the output, which tests and pages may rely on:
/// - the root is `<svg class="chart" role="img" aria-label="TITLE" …>` with a `viewBox` and `width="100%"`;
/// - every drawn segment is `<rect class="bar" data-label="LABEL" data-series="SERIES" data-value="VALUE" …>`
///   (segments of value 0 are not drawn), followed by a `<title>` tooltip;
/// - every bar's label and its value text (``Bar/note`` or the formatted total with ``unit``) are `<text>`;
/// - a legend of the series' names when there is more than one series.
///
/// Every text is XML-escaped here (``escape(_:)``), so labels may hold anything a clerk typed.
public struct SVGChart: Sendable {
    /// Which way the bars grow.
    public enum Orientation: Sendable {
        /// Bars from a left axis to the right, labels on the left: rankings, long labels, many bars.
        case horizontal
        /// Bars from a bottom axis upwards, labels below: a sequence such as months.
        case vertical
    }

    /// One series of values: its name (legend and tooltips, Chinese) and its fill colour (a CSS colour).
    public struct Series: Sendable, Equatable {
        public var name: String
        public var color: String

        /// A series called `name` drawn in `color` (e.g. ``Palette/green``).
        public init(_ name: String, color: String) {
            self.name = name
            self.color = color
        }
    }

    /// One bar: its label and one value per series, in the order of ``SVGChart/series``. Missing values
    /// count as 0; negative values are drawn as 0.
    public struct Bar: Sendable, Equatable {
        public var label: String
        public var values: [Double]
        /// The text beside (horizontal) or above (vertical) the bar; `nil` shows the total with the chart's unit.
        public var note: String?
        /// A link for the label (a path on this site), e.g. `/units/housing`.
        public var link: String?

        /// A bar with one value per series (stacked).
        public init(label: String, values: [Double], note: String? = nil, link: String? = nil) {
            self.label = label
            self.values = values
            self.note = note
            self.link = link
        }

        /// A bar of a single-series chart.
        public init(label: String, value: Double, note: String? = nil, link: String? = nil) {
            self.init(label: label, values: [value], note: note, link: link)
        }

        /// The sum of the bar's (non-negative) values.
        public var total: Double { values.reduce(0) { $0 + max($1, 0) } }
    }

    /// Colours that keep apart on screen and in greyscale print, matching the status colours of the pages.
    public enum Palette {
        /// 按时 (on time).
        public static let green = "#2da44e"
        /// 缓报 (late).
        public static let amber = "#d4a72c"
        /// 未报 (missed) and errors.
        public static let red = "#cf222e"
        /// 零数据 and neutral single-series charts.
        public static let blue = "#0969da"
        /// 待报 (open) and the rest.
        public static let grey = "#8c959f"
    }

    /// The chart's heading, drawn above it and used as its accessible name.
    public var title: String
    public var orientation: Orientation
    public var series: [Series]
    public var bars: [Bar]
    /// The value a full-length bar stands for (e.g. 100 for percentages); `nil` takes the largest bar total,
    /// rounded up to a multiple of 4 when every value is a whole number (so the axis's quarters are whole too).
    public var scaleMax: Double?
    /// Written after numbers in value labels and the axis: `"%"`, `"项"`, or empty.
    public var unit: String
    /// The drawing's width in pixels (it shrinks to its container, never grows beyond this).
    public var width: Int

    /// A chart. `series` defaults to one blue series called 数值.
    public init(title: String, orientation: Orientation = .horizontal, series: [Series] = [Series("数值", color: Palette.blue)],
                bars: [Bar], scaleMax: Double? = nil, unit: String = "", width: Int = 720) {
        self.title = title
        self.orientation = orientation
        self.series = series
        self.bars = bars
        self.scaleMax = scaleMax
        self.unit = unit
        self.width = width
    }

    // MARK: Drawing

    static let fontSize = 13.0
    static let fontFamily = "'PingFang SC','Microsoft YaHei','Noto Sans CJK SC',sans-serif"
    static let titleHeight = 26.0
    static let legendHeight = 22.0

    /// The chart as one `<svg>` element, every text escaped.
    public func svg() -> String {
        switch orientation {
        case .horizontal: horizontal()
        case .vertical: vertical()
        }
    }

    private var scale: Double {
        let largest = bars.map(\.total).max() ?? 0
        let whole = bars.allSatisfy { $0.values.allSatisfy { $0 == $0.rounded() } }
        let s = scaleMax ?? (whole ? (largest / 4).rounded(.up) * 4 : largest)
        return s > 0 ? s : 1
    }

    private func open(height: Double) -> String {
        let t = Self.escape(title)
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" aria-label=\"\(t)\" "
            + "viewBox=\"0 0 \(width) \(Self.n(height))\" width=\"100%\" style=\"max-width:\(width)px\" "
            + "font-family=\"\(Self.fontFamily)\" font-size=\"\(Self.n(Self.fontSize))\">"
            + "<title>\(t)</title>"
            + "<text x=\"0\" y=\"17\" font-size=\"15\" font-weight=\"bold\" fill=\"#1f2328\">\(t)</text>"
    }

    private func legend(y: Double) -> String {
        guard series.count > 1 else { return "" }
        var out = "<g class=\"legend\">"
        var x = 0.0
        for s in series {
            out += "<rect x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" width=\"12\" height=\"12\" fill=\"\(Self.escape(s.color))\" stroke=\"#1f2328\" stroke-width=\"0.5\"/>"
            out += "<text x=\"\(Self.n(x + 16))\" y=\"\(Self.n(y + 11))\" fill=\"#1f2328\">\(Self.escape(s.name))</text>"
            x += 16 + Self.textWidth(s.name) + 18
        }
        return out + "</g>"
    }

    private func segment(x: Double, y: Double, w: Double, h: Double, bar: Bar, index: Int, value: Double) -> String {
        let s = index < series.count ? series[index] : Series("", color: Palette.grey)
        let tip = series.count > 1 ? "\(bar.label) · \(s.name)：\(Self.number(value))\(unit)" : "\(bar.label)：\(Self.number(value))\(unit)"
        return "<rect class=\"bar\" data-label=\"\(Self.escape(bar.label))\" data-series=\"\(Self.escape(s.name))\" "
            + "data-value=\"\(Self.number(value))\" x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" width=\"\(Self.n(w))\" height=\"\(Self.n(h))\" "
            + "fill=\"\(Self.escape(s.color))\" stroke=\"#1f2328\" stroke-width=\"0.5\"><title>\(Self.escape(tip))</title></rect>"
    }

    private func label(_ bar: Bar, x: Double, y: Double, anchor: String, rotate: Bool = false) -> String {
        let text = Self.escape(Self.truncated(bar.label, to: orientation == .horizontal ? 240 : 120))
        let transform = rotate ? " transform=\"rotate(-40 \(Self.n(x)) \(Self.n(y)))\"" : ""
        let t = "<text class=\"label\" x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" text-anchor=\"\(anchor)\"\(transform) fill=\"#1f2328\">\(text)</text>"
        guard let link = bar.link else { return t }
        return "<a href=\"\(Self.escape(link))\">\(t)</a>"
    }

    private func valueText(_ bar: Bar) -> String {
        bar.note ?? "\(Self.number(bar.total))\(unit)"
    }

    private func horizontal() -> String {
        let rowHeight = 22.0, barHeight = 14.0
        let labelWidth = min(max(bars.map { Self.textWidth($0.label) }.max() ?? 0, 40), 240) + 10
        let valueWidth = max(bars.map { Self.textWidth(valueText($0)) }.max() ?? 0, 30) + 8
        let plotWidth = max(Double(width) - labelWidth - valueWidth, 60)
        var y = Self.titleHeight
        var body = ""
        if series.count > 1 { body += legend(y: y); y += Self.legendHeight }
        let top = y
        if bars.isEmpty {
            body += "<text x=\"0\" y=\"\(Self.n(y + 15))\" fill=\"#656d76\">暂无数据</text>"
            return open(height: y + rowHeight + 4) + body + "</svg>"
        }
        // grid: 0, ¼, ½, ¾ and the full scale
        let plotBottom = top + Double(bars.count) * rowHeight
        for q in 0...4 {
            let x = labelWidth + plotWidth * Double(q) / 4
            body += "<line x1=\"\(Self.n(x))\" y1=\"\(Self.n(top - 2))\" x2=\"\(Self.n(x))\" y2=\"\(Self.n(plotBottom))\" stroke=\"\(q == 0 ? "#1f2328" : "#d0d7de")\" stroke-width=\"\(q == 0 ? "1" : "0.5")\"/>"
            body += "<text class=\"axis\" x=\"\(Self.n(x))\" y=\"\(Self.n(plotBottom + 14))\" text-anchor=\"middle\" font-size=\"11\" fill=\"#656d76\">\(Self.escape(Self.number(scale * Double(q) / 4) + unit))</text>"
        }
        for bar in bars {
            body += label(bar, x: labelWidth - 8, y: y + 15, anchor: "end")
            var x = labelWidth
            for (i, v) in bar.values.enumerated() where v > 0 {
                let w = min(v, scale) / scale * plotWidth
                body += segment(x: x, y: y + (rowHeight - barHeight) / 2, w: w, h: barHeight, bar: bar, index: i, value: v)
                x += w
            }
            body += "<text class=\"value\" x=\"\(Self.n(min(x, labelWidth + plotWidth) + 4))\" y=\"\(Self.n(y + 15))\" fill=\"#1f2328\">\(Self.escape(valueText(bar)))</text>"
            y += rowHeight
        }
        return open(height: plotBottom + 20) + body + "</svg>"
    }

    private func vertical() -> String {
        let plotHeight = 180.0, left = 44.0, right = 8.0
        var y = Self.titleHeight
        var body = ""
        if series.count > 1 { body += legend(y: y); y += Self.legendHeight }
        let top = y + 16 // room for the value text above the tallest bar
        if bars.isEmpty {
            body += "<text x=\"0\" y=\"\(Self.n(y + 15))\" fill=\"#656d76\">暂无数据</text>"
            return open(height: y + 26) + body + "</svg>"
        }
        let plotWidth = Double(width) - left - right
        let slot = plotWidth / Double(bars.count)
        let barWidth = min(slot * 0.7, 48)
        let bottom = top + plotHeight
        let widestLabel = bars.map { Self.textWidth($0.label) }.max() ?? 0
        let rotate = widestLabel > slot - 4
        let labelSpace = rotate ? min(widestLabel, 120) * 0.65 + 18 : 20
        for q in 0...4 {
            let ly = bottom - plotHeight * Double(q) / 4
            body += "<line x1=\"\(Self.n(left))\" y1=\"\(Self.n(ly))\" x2=\"\(Self.n(left + plotWidth))\" y2=\"\(Self.n(ly))\" stroke=\"\(q == 0 ? "#1f2328" : "#d0d7de")\" stroke-width=\"\(q == 0 ? "1" : "0.5")\"/>"
            body += "<text class=\"axis\" x=\"\(Self.n(left - 4))\" y=\"\(Self.n(ly + 4))\" text-anchor=\"end\" font-size=\"11\" fill=\"#656d76\">\(Self.escape(Self.number(scale * Double(q) / 4) + unit))</text>"
        }
        for (index, bar) in bars.enumerated() {
            let cx = left + slot * (Double(index) + 0.5)
            var yTop = bottom
            for (i, v) in bar.values.enumerated() where v > 0 {
                let h = min(v, scale) / scale * plotHeight
                body += segment(x: cx - barWidth / 2, y: yTop - h, w: barWidth, h: h, bar: bar, index: i, value: v)
                yTop -= h
            }
            body += "<text class=\"value\" x=\"\(Self.n(cx))\" y=\"\(Self.n(max(yTop, bottom - plotHeight) - 4))\" text-anchor=\"middle\" font-size=\"11\" fill=\"#1f2328\">\(Self.escape(valueText(bar)))</text>"
            body += rotate ? label(bar, x: cx, y: bottom + 14, anchor: "end", rotate: true) : label(bar, x: cx, y: bottom + 15, anchor: "middle")
        }
        return open(height: bottom + labelSpace) + body + "</svg>"
    }

    // MARK: Text

    /// `text` with `& < > " '` replaced by entities, for SVG text and attribute values.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Control characters are not allowed in XML 1.0 text.
                if c.value < 0x20 && c != "\t" && c != "\n" { continue }
                out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// A value as shown: whole numbers without decimals, others with one (`87.5`).
    static func number(_ value: Double) -> String {
        let tenths = (value * 10).rounded()
        if tenths.truncatingRemainder(dividingBy: 10) == 0 { return String(Int(tenths / 10)) }
        return String(format: "%.1f", tenths / 10)
    }

    /// A coordinate with at most one decimal.
    static func n(_ value: Double) -> String { number(value) }

    /// The drawn width of `text` in pixels at the chart's font size, estimated: CJK and full-width characters
    /// a full em, others a little over half.
    static func textWidth(_ text: String) -> Double {
        text.unicodeScalars.reduce(0) { $0 + (isWide($1) ? fontSize : fontSize * 0.58) }
    }

    static func isWide(_ c: Unicode.Scalar) -> Bool {
        (0x1100...0x115F).contains(c.value) || (0x2E80...0xA4CF).contains(c.value) || (0xAC00...0xD7A3).contains(c.value)
            || (0xF900...0xFAFF).contains(c.value) || (0xFE30...0xFE4F).contains(c.value) || (0xFF00...0xFF60).contains(c.value)
            || (0xFFE0...0xFFE6).contains(c.value) || (0x20000...0x3FFFD).contains(c.value)
    }

    /// `text` cut with `…` so that it fits `maxWidth` pixels.
    static func truncated(_ text: String, to maxWidth: Double) -> String {
        guard textWidth(text) > maxWidth else { return text }
        var out = ""
        var w = fontSize
        for c in text {
            let cw = textWidth(String(c))
            if w + cw > maxWidth { break }
            out.append(c)
            w += cw
        }
        return out + "…"
    }
}
