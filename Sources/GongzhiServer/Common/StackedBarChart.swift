/// A horizontal stacked bar chart drawn by the server as SVG text (no script, no external resources), readable
/// in print: each series has its own fill and a legend entry, and each bar carries its total as text.
///
/// Values are integers in hundredths (e.g. 19.13 points → 1913), so drawing needs no floating point.
struct StackedBarChart: Sendable {
    struct Series: Sendable {
        var name: String
        /// A CSS colour, e.g. `#8b1a1a`.
        var fill: String
    }

    struct Bar: Sendable {
        var label: String
        /// One value per series, in hundredths, each ≥ 0 (negative values are drawn as 0).
        var values: [Int]
        /// Drawn after the bar, e.g. the total.
        var note: String
    }

    var title: String
    var series: [Series]
    var bars: [Bar]
    /// The value the full bar width stands for, in hundredths (at least the largest stack).
    var scaleMaximum: Int

    static let labelWidth = 190, barWidth = 560, noteWidth = 80, rowHeight = 24, legendHeight = 44

    static func escape(_ text: String) -> String {
        var out = ""
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// The SVG element.
    var svg: String {
        let width = Self.labelWidth + Self.barWidth + Self.noteWidth
        let height = Self.legendHeight + bars.count * Self.rowHeight + 10
        let maximum = max(scaleMaximum, bars.map { $0.values.reduce(0) { $0 + max($1, 0) } }.max() ?? 0, 1)
        var out = ##"<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="\##(width)" height="\##(height)" viewBox="0 0 \##(width) \##(height)" role="img" aria-label="\##(Self.escape(title))" font-size="12" font-family="sans-serif">"##
        out += "<title>\(Self.escape(title))</title>"
        var x = 0
        for s in series {
            out += ##"<rect x="\##(x)" y="6" width="12" height="12" fill="\##(s.fill)" stroke="#1f2328" stroke-width="0.5"/>"##
            out += ##"<text x="\##(x + 16)" y="16">\##(Self.escape(s.name))</text>"##
            x += 28 + s.name.count * 12
        }
        // grid lines every 10 points
        var tick = 0
        while tick <= maximum {
            let gx = Self.labelWidth + tick * Self.barWidth / maximum
            out += ##"<line x1="\##(gx)" y1="\##(Self.legendHeight - 6)" x2="\##(gx)" y2="\##(height - 6)" stroke="#d0d7de" stroke-width="0.5"/>"##
            out += ##"<text x="\##(gx)" y="\##(Self.legendHeight - 10)" text-anchor="middle" fill="#656d76">\##(tick / 100)</text>"##
            tick += 1000
        }
        for (row, bar) in bars.enumerated() {
            let y = Self.legendHeight + row * Self.rowHeight
            out += ##"<text x="\##(Self.labelWidth - 6)" y="\##(y + 15)" text-anchor="end">\##(Self.escape(bar.label))</text>"##
            var offset = 0
            for (i, value) in bar.values.enumerated() where i < series.count {
                let v = max(value, 0)
                let start = offset * Self.barWidth / maximum, end = (offset + v) * Self.barWidth / maximum
                if end > start {
                    out += ##"<rect x="\##(Self.labelWidth + start)" y="\##(y + 3)" width="\##(end - start)" height="\##(Self.rowHeight - 6)" fill="\##(series[i].fill)" stroke="#ffffff" stroke-width="0.5"><title>\##(Self.escape(bar.label))：\##(Self.escape(series[i].name)) \##(Self.points(v))</title></rect>"##
                }
                offset += v
            }
            out += ##"<text x="\##(Self.labelWidth + offset * Self.barWidth / maximum + 4)" y="\##(y + 15)">\##(Self.escape(bar.note))</text>"##
        }
        return out + "</svg>"
    }

    /// Hundredths as decimal text: 1913 → `19.13`, 1950 → `19.5`, 2000 → `20`.
    static func points(_ hundredths: Int) -> String {
        let sign = hundredths < 0 ? "-" : "", m = abs(hundredths)
        var text = sign + String(m / 100)
        let f = m % 100
        if f != 0 { text += f % 10 == 0 ? "." + String(f / 10) : "." + (f < 10 ? "0" : "") + String(f) }
        return text
    }
}
