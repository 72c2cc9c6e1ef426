using System.Buffers.Binary;
using System.Text;

namespace Portal.Infrastructure.Smpp.Pdus;

/// <summary>
/// Big-endian reader over one PDU body. Instead of throwing on short or malformed input it sets
/// <see cref="Failed"/> and returns defaults, so decoding stays exception-free on hostile bytes.
/// </summary>
internal ref struct PduReader(ReadOnlySpan<byte> body)
{
    private readonly ReadOnlySpan<byte> _body = body;
    private int _position;

    public bool Failed { get; private set; }

    public readonly int Remaining => _body.Length - _position;

    public readonly bool AtEnd => _position >= _body.Length;

    public byte Byte()
    {
        if (Remaining < 1) return Fail<byte>();
        return _body[_position++];
    }

    public ushort UInt16()
    {
        if (Remaining < 2) return Fail<ushort>();
        var value = BinaryPrimitives.ReadUInt16BigEndian(_body[_position..]);
        _position += 2;
        return value;
    }

    public ReadOnlySpan<byte> Bytes(int count)
    {
        if (count < 0 || Remaining < count)
        {
            Failed = true;
            _position = _body.Length;
            return default;
        }
        var value = _body.Slice(_position, count);
        _position += count;
        return value;
    }

    /// <summary>C-Octet String of at most <paramref name="max"/> octets including the NUL (spec 3.1).</summary>
    public string CString(int max)
    {
        var rest = _body[_position..];
        var nul = rest[..Math.Min(rest.Length, max)].IndexOf((byte)0);
        if (nul < 0) return Fail<string>() ?? string.Empty;
        _position += nul + 1;
        return nul == 0 ? string.Empty : Encoding.Latin1.GetString(rest[..nul]);
    }

    private T? Fail<T>()
    {
        Failed = true;
        _position = _body.Length;
        return default;
    }
}
