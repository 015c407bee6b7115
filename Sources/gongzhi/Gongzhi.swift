import ArgumentParser

/// `gongzhi`: the one binary of the platform. Every job is a subcommand.
@main
struct Gongzhi: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gongzhi",
        abstract: "社会综合治税共享平台 Gongzhi: the city's tax-governance data sharing platform.",
        subcommands: [ServeCommand.self, ImportCommand.self, TasksCommand.self, CatalogCommand.self, AuditCommand.self, MigrateCommand.self,
                      UserCommand.self, ScoreCommand.self, MatchCommand.self, ReportsCommand.self,
                      BackupCommand.self, RestoreCommand.self, InspectCommand.self]
    )
}

/// Exit statuses of `gongzhi import`: 0 read (even with rejected rows), 2 refused, 1 any other failure.
enum ExitStatus {
    static let refused = ExitCode(2)
    static let failure = ExitCode(1)
}
