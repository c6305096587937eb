using System.Data.Common;
using JasperFx.Events;
using Marten;
using Weasel.Core;
using Weasel.Storage;

namespace ClaimLedger.Storage;

/// <summary>
/// A write's transaction id, read ahead of its events in the round trip that writes them, for a write whose first round
/// trip is not its own (Wolverine's aggregate workflow locks the claim in a round trip Marten sends): the id is then known
/// before the COMMIT is sent, which is what <see cref="CommitsInDoubt"/> asks about when the COMMIT's answer is lost.
/// </summary>
/// <remarks>
/// The transaction already has its id by then: the claim's exclusive load (SELECT … FOR UPDATE) takes it, before any
/// event draws a sequence number (<see cref="LedgerTransaction"/>). Its document type is <see cref="IEvent"/> because
/// Marten sends the operations on events before all others, in the order they were queued.
/// </remarks>
public sealed class TransactionIdAhead : Weasel.Storage.IStorageOperation
{
    /// <summary>The id as PostgreSQL gave it; null until the write's round trip has been answered.</summary>
    public string? Id { get; private set; }

    public static TransactionIdAhead Queue(IDocumentSession session)
    {
        var read = new TransactionIdAhead();
        session.QueueOperation(read);
        return read;
    }

    public Type DocumentType => typeof(IEvent);

    public void ConfigureCommand(ICommandBuilder builder, IStorageSession session) =>
        builder.Append("select pg_current_xact_id()::text");

    public async Task PostprocessAsync(DbDataReader reader, IList<Exception> exceptions, CancellationToken token)
    {
        if (await reader.ReadAsync(token)) Id = reader.GetString(0);
    }

    public OperationRole Role() => OperationRole.Other;
}
