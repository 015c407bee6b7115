import GongzhiCore
@testable import GongzhiServer
import Testing

@Suite("Matching's audit entries read in Chinese")
struct MatchingAuditTextTests {
    static func detail(_ text: String) -> String {
        AuditDetailText.chinese(text, indicator: nil, names: DisplayNames(units: [:], users: [:], catalog: nil))
    }

    @Test("runs, rule versions and lead steps")
    func details() {
        #expect(Self.detail("match match_run=3;rule=deed-tax;rule_version=1;from=2026-07;to=2026-07;left_records=50;count=4")
            == "运行信息比对；比对批次：3；比对规则：房产交易未缴契税（deed-tax）；规则版本：1；起始期：2026-07；截止期：2026-07；比对记录数：50；数量：4")
        #expect(Self.detail("rule_change rule=deed-tax;rule_version=2;rule_state=trial").hasSuffix("规则状态：试跑"))
        #expect(Self.detail("lead=7;rule=deed-tax;lead_state=dismissed;record=12;dismissal=source_data_error;reported_to_provider")
            == "线索编号：7；比对规则：房产交易未缴契税（deed-tax）；线索状态：已排除；记录编号：12；排除原因：源数据错误；源数据错误已转告数据提供单位")
        #expect(Self.detail("lead=7;rule=deed-tax;lead_state=confirmed;record=12;recovered=600.00").hasSuffix("追缴税款（元）：600.00"))
    }
}
