import Foundation
import GongzhiCore
@testable import GongzhiStore
import NIOCore
import Testing

@Suite("Store building blocks")
struct StoreTests {
    @Test("COPY text format escapes backslash, tab, newline and carriage return, and writes NULL as \\N")
    func copyLineEscaping() {
        var buffer = ByteBuffer()
        PostgresCopyRecordWriter.append("a\\b", "tab\there", nil, "line\nbreak\rx", "普通文本", to: &buffer)
        #expect(buffer.readString(length: buffer.readableBytes) == "a\\\\b\ttab\\there\t\\N\tline\\nbreak\\rx\t普通文本\n")
    }

    @Test("query keys are the identifier fields; the jurisdiction is the division code")
    func storedRowKeys() {
        let fields = [
            GongzhiCore.Field(key: "name", label: "姓名", type: .text, required: true),
            GongzhiCore.Field(key: "id_no", label: "证件号码", type: .personID, required: true),
            GongzhiCore.Field(key: "org", label: "单位代码", type: .orgID),
            GongzhiCore.Field(key: "vin", label: "车辆识别代号", type: .text, identifies: true),
            GongzhiCore.Field(key: "division_code", label: "信息属地", type: .divisionCode, required: true),
        ]
        let record = AcceptedRecord(row: 7, values: [.text("张三"), .text("321002199001011238"), nil, .text("LSVAU2180N2183294"), .text("321002")])
        let rows = StoredRecordRow.rows([record], fields: fields)
        #expect(rows.count == 1)
        #expect(rows[0].row == 7)
        #expect(rows[0].divisionCode == "321002")
        #expect(rows[0].keys.map(\.field) == ["id_no", "vin"])
        #expect(rows[0].keys.map(\.value) == ["321002199001011238", "LSVAU2180N2183294"])
        #expect(rows[0].valuesJSON == #"{"name":"张三","id_no":"321002199001011238","org":null,"vin":"LSVAU2180N2183294","division_code":"321002"}"#)
    }

    @Test("the file store keeps one copy per content and can undo a copy it made")
    func fileStore() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gongzhi-files-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let source = root.appendingPathComponent("upload.csv")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try Data("a,b\r\n".utf8).write(to: source)
        let store = FileStore(root: root.appendingPathComponent("store"))
        let sha = String(repeating: "ab", count: 32)
        #expect(try store.keep(source, sha256: sha))
        #expect(try store.keep(source, sha256: sha) == false)
        #expect(store.url(for: sha).path.hasSuffix("/ab/\(sha).bin"))
        #expect(try Data(contentsOf: store.url(for: sha)) == Data("a,b\r\n".utf8))
        store.remove(sha)
        #expect(!FileManager.default.fileExists(atPath: store.url(for: sha).path))
    }
}
