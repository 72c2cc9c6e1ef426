using System.Globalization;
using System.Text;
using Portal.Infrastructure.Smpp.Pdus;

namespace Portal.Infrastructure.Smpp.Receipts;

/// <summary>
/// Reads delivery receipts from deliver_sm / data_sm. The TLVs (receipted_message_id, message_state,
/// network_error_code; spec 5.3.2.12, 5.3.2.35, 5.3.2.31) win over the appendix B text
/// "id:... sub:... dlvrd:... submit date:... done date:... stat:... err:... text:...", which fills the rest.
/// </summary>
public static class ReceiptParser
{
    private static readonly string[] Keys = ["id:", "sub:", "dlvrd:", "submit date:", "done date:", "stat:", "err:", "text:"];

    public static bool TryParse(DeliverSm pdu, out DeliveryReceipt? receipt)
    {
        receipt = null;
        if (!pdu.IsDeliveryReceipt) return false;
        return TryParse(pdu.Content.Span, pdu.Optional, out receipt);
    }

    public static bool TryParse(DataSm pdu, out DeliveryReceipt? receipt)
    {
        receipt = null;
        if (!pdu.IsDeliveryReceipt) return false;
        var payload = pdu.Optional?.MessagePayload ?? ReadOnlyMemory<byte>.Empty;
        return TryParse(payload.Span, pdu.Optional, out receipt);
    }

    public static bool TryParse(ReadOnlySpan<byte> content, OptionalParameters? tlvs, out DeliveryReceipt? receipt)
    {
        // Receipt text is ASCII in practice; Latin-1 maps every byte so nothing throws.
        TryParseText(Encoding.Latin1.GetString(content), out var fromText);
        var id = tlvs?.ReceiptedMessageId ?? fromText?.MessageId;
        var state = tlvs?.MessageState ?? fromText?.State;
        if (string.IsNullOrEmpty(id) || state is null)
        {
            receipt = null;
            return false;
        }
        receipt = (fromText ?? new DeliveryReceipt(id, state.Value)) with
        {
            MessageId = id,
            State = state.Value,
            NetworkError = tlvs?.NetworkErrorCode ?? fromText?.NetworkError,
        };
        return true;
    }

    public static bool TryParseText(string text, out DeliveryReceipt? receipt)
    {
        receipt = null;
        Span<int> starts = stackalloc int[Keys.Length];
        for (var k = 0; k < Keys.Length; k++) starts[k] = FindKey(text, Keys[k]);

        var id = Value(text, starts, 0);
        var stat = Value(text, starts, 5);
        if (string.IsNullOrEmpty(id) || stat is null || !TryParseStat(stat, out var state)) return false;

        receipt = new DeliveryReceipt(
            id,
            state,
            ErrorCode: Value(text, starts, 6),
            Submitted: ParseInt(Value(text, starts, 1)),
            Delivered: ParseInt(Value(text, starts, 2)),
            SubmitDate: ParseDate(Value(text, starts, 3)),
            DoneDate: ParseDate(Value(text, starts, 4)));
        return true;
    }

    public static bool TryParseStat(string stat, out MessageState state)
    {
        state = stat.ToUpperInvariant() switch
        {
            "DELIVRD" or "DELIVERED" => MessageState.Delivered,
            "EXPIRED" => MessageState.Expired,
            "DELETED" => MessageState.Deleted,
            "UNDELIV" or "UNDELIVERABLE" => MessageState.Undeliverable,
            "ACCEPTD" or "ACCEPTED" => MessageState.Accepted,
            "UNKNOWN" => MessageState.Unknown,
            "REJECTD" or "REJECTED" => MessageState.Rejected,
            "ENROUTE" => MessageState.Enroute,
            "SCHEDUL" => MessageState.Scheduled,
            _ => (MessageState)0xFF,
        };
        return state != (MessageState)0xFF;
    }

    /// <summary>Index of the key at the start or after whitespace, case-insensitive; -1 when absent.</summary>
    private static int FindKey(string text, string key)
    {
        var from = 0;
        while (from < text.Length)
        {
            var i = text.IndexOf(key, from, StringComparison.OrdinalIgnoreCase);
            if (i < 0) return -1;
            if (i == 0 || char.IsWhiteSpace(text[i - 1])) return i;
            from = i + 1;
        }
        return -1;
    }

    /// <summary>The value after key k, up to the nearest following key (fields may come in any order).</summary>
    private static string? Value(string text, ReadOnlySpan<int> starts, int k)
    {
        if (starts[k] < 0) return null;
        var from = starts[k] + Keys[k].Length;
        var to = text.Length;
        // "text:" runs to the end; every other value ends at the next key.
        for (var other = 0; other < starts.Length; other++)
        {
            if (starts[other] >= from && starts[other] < to) to = starts[other];
        }
        return text[from..to].Trim();
    }

    private static int? ParseInt(string? value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;

    private static DateTime? ParseDate(string? value)
    {
        if (value is null) return null;
        string[] formats = ["yyMMddHHmm", "yyMMddHHmmss"];
        return DateTime.TryParseExact(value, formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null;
    }
}
