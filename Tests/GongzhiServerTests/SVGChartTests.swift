import Foundation
import GongzhiServer
import Testing

/// The one SVG chart drawer: bars, stacking, scales, escaping and the shapes pages and tests rely on.
@Suite("SVG charts")
struct SVGChartTests {
    /// The `data-…` attributes of every drawn bar segment, in drawing order.
    static func bars(_ svg: String) -> [(label: String, series: String, value: String)] {
        svg.components(separatedBy: "<rect class=\"bar\" ").dropFirst().map { piece in
            func attribute(_ name: String) -> String {
                guard let start = piece.range(of: "\(name)=\"") else { return "" }
                return String(piece[start.upperBound...].prefix { $0 != "\"" })
            }
            return (attribute("data-label"), attribute("data-series"), attribute("data-value"))
        }
    }

    @Test("a horizontal ranking draws one bar per unit with its value and Chinese labels", arguments: [SVGChart.Orientation.horizontal, .vertical])
    func singleSeries(orientation: SVGChart.Orientation) {
        // given
        let chart = SVGChart(title: "按时率排名", orientation: orientation, bars: [
            .init(label: "市住房保障和房产管理局", value: 87.5, link: "/units/housing"),
            .init(label: "市公安局", value: 62),
            .init(label: "市统计局", value: 0),
        ], scaleMax: 100, unit: "%")
        // when
        let svg = chart.svg()
        // then
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" aria-label=\"按时率排名\""))
        #expect(svg.hasSuffix("</svg>"))
        let drawn = Self.bars(svg)
        #expect(drawn.map(\.label) == ["市住房保障和房产管理局", "市公安局"], "a zero value draws no segment")
        #expect(drawn.map(\.value) == ["87.5", "62"])
        #expect(svg.contains(">87.5%</text>") && svg.contains(">62%</text>") && svg.contains(">0%</text>"))
        #expect(svg.contains("<a href=\"/units/housing\">"))
        #expect(svg.contains(">市统计局</text>"), "every bar keeps its label")
        #expect(!svg.contains("class=\"legend\""), "one series needs no legend")
    }

    @Test("stacked bars draw one segment per non-zero series value, a legend, and the total as the bar's text")
    func stacked() {
        // given
        let series = [SVGChart.Series("按时", color: SVGChart.Palette.green), SVGChart.Series("缓报", color: SVGChart.Palette.amber),
                      SVGChart.Series("未报", color: SVGChart.Palette.red)]
        let chart = SVGChart(title: "逐月报送情况", orientation: .vertical, series: series, bars: [
            .init(label: "2024-01", values: [3, 1, 1]), .init(label: "2024-02", values: [5, 0, 0]),
        ], unit: "项")
        // when
        let svg = chart.svg()
        // then
        let drawn = Self.bars(svg)
        #expect(drawn.map { "\($0.label)/\($0.series)/\($0.value)" } == ["2024-01/按时/3", "2024-01/缓报/1", "2024-01/未报/1", "2024-02/按时/5"])
        #expect(svg.contains("class=\"legend\"") && svg.contains(">缓报</text>"))
        #expect(svg.contains(">5项</text>"))
        #expect(svg.contains("fill=\"#cf222e\""))
    }

    @Test("full-length bars stand for the scale maximum, or the largest total without one")
    func scale() {
        // given two bars, one twice the other
        let svg = SVGChart(title: "t", bars: [.init(label: "甲", value: 10), .init(label: "乙", value: 5)], width: 600).svg()
        // then the first is twice as wide as the second
        func width(_ label: String) -> Double? {
            guard let r = svg.range(of: "data-label=\"\(label)\"") else { return nil }
            let rest = svg[r.upperBound...]
            guard let w = rest.range(of: "width=\"") else { return nil }
            return Double(rest[w.upperBound...].prefix { $0 != "\"" })
        }
        let a = width("甲"), b = width("乙")
        #expect(a != nil && b != nil && abs(a! - 2 * b!) < 0.2)
        // a value beyond the scale is drawn at full length, not beyond
        // whole numbers get an axis of whole quarters: 7 at most → a scale of 8 (2, 4, 6, 8)
        let counts = SVGChart(title: "t", orientation: .vertical, bars: [.init(label: "一月", value: 7)], unit: "项").svg()
        #expect(counts.contains(">8项</text>") && counts.contains(">2项</text>") && !counts.contains("1.8"))
        let capped = SVGChart(title: "t", bars: [.init(label: "甲", value: 150)], scaleMax: 100, width: 600).svg()
        #expect(capped.contains("data-value=\"150\""))
    }

    @Test("every text is escaped: labels, notes, links, series and title")
    func escaping() {
        let hostile = "<script>alert('x')</script> & \"引号\""
        let svg = SVGChart(title: hostile, series: [.init(hostile, color: "red\" onload=\"x")],
                           bars: [.init(label: hostile, value: 1, note: hostile, link: "/x?a=1&b=\"2\"")]).svg()
        #expect(!svg.contains("<script>"))
        #expect(!svg.contains("onload=\"x"))
        #expect(svg.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;引号&quot;"))
        #expect(svg.contains("href=\"/x?a=1&amp;b=&quot;2&quot;\""))
    }

    @Test("an empty chart says so instead of drawing nothing")
    func empty() {
        for orientation in [SVGChart.Orientation.horizontal, .vertical] {
            let svg = SVGChart(title: "空", orientation: orientation, bars: []).svg()
            #expect(svg.contains("暂无数据") && Self.bars(svg).isEmpty)
        }
    }

    @Test("long labels are cut with an ellipsis; many vertical labels are turned to fit")
    func longLabels() {
        let long = String(repeating: "很长的单位名称", count: 10)
        let svg = SVGChart(title: "t", bars: [.init(label: long, value: 1)]).svg()
        #expect(svg.contains("…</text>"))
        #expect(svg.contains("data-label=\"\(long)\""), "the data attribute keeps the whole label")
        let months = (1...24).map { SVGChart.Bar(label: "2024年\($0)月报送期", value: Double($0)) }
        #expect(SVGChart(title: "t", orientation: .vertical, bars: months).svg().contains("rotate(-40"))
    }
}
