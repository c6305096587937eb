using Marten.Exceptions;
using Npgsql;
using Shouldly;
using ClaimLedger.Throughput.GroupCommit;

namespace ClaimLedger.Tests.Throughput.GroupCommit;

/// <summary>When a group's commit fails, only a refusal from PostgreSQL proves nothing landed (and allows writing each alone).</summary>
public class SubmissionGroupsTests
{
    [Fact]
    public void An_error_PostgreSQL_answered_rolled_the_group_back()
    {
        SubmissionGroups.RolledBack(new PostgresException("poisoned", "ERROR", "ERROR", "P0001")).ShouldBeTrue();
        SubmissionGroups.RolledBack(new MartenCommandException(new NpgsqlCommand("select 1"),
            new PostgresException("duplicate key", "ERROR", "ERROR", "23505"))).ShouldBeTrue();
    }

    [Theory]
    [InlineData("57P01")] // the server shut down during the commit
    [InlineData("08006")] // the connection failed
    public void A_connection_that_failed_during_the_commit_leaves_it_in_doubt(string sqlState) =>
        SubmissionGroups.RolledBack(new PostgresException("gone", "FATAL", "FATAL", sqlState)).ShouldBeFalse();

    [Fact]
    public void An_error_that_is_not_PostgreSQL_answering_leaves_the_commit_in_doubt()
    {
        SubmissionGroups.RolledBack(new NpgsqlException("Exception while reading from stream", new IOException("reset"))).ShouldBeFalse();
        SubmissionGroups.RolledBack(new TimeoutException()).ShouldBeFalse();
        SubmissionGroups.RolledBack(new InvalidOperationException()).ShouldBeFalse();
    }
}
