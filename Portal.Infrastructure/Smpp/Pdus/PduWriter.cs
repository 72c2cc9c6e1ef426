using System.Buffers.Binary;

namespace Portal.Infrastructure.Smpp.Pdus;

/// <summary>
/// Big-endian writer over a span sized by <see cref="Pdu.Length"/>. It never throws on the write
/// path: C-Octet strings longer than their field allows are cut (validation happens at the API edge).
/// </summary>
internal ref struct PduWriter(Span<byte> destination)
{
    private readonly Span<byte> _destination = destination;
    private int _position;

    public void Byte(byte value) => _destination[_position++] = value;

    public void UInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_destination[_position..], value);
        _position += 2;
    }

    public void Bytes(ReadOnlySpan<byte> value)
    {
        value.CopyTo(_destination[_position..]);
        _position += value.Length;
    }

    /// <summary>C-Octet String (spec 3.1): ASCII characters followed by a NUL, at most <paramref name="max"/> octets in all.</summary>
    public void CString(string? value, int max)
    {
        var length = CStringLength(value, max) - 1;
        for (var i = 0; i < length; i++)
        {
            var c = value![i];
            _destination[_position++] = c <= 0xFF ? (byte)c : (byte)'?';
        }
        _destination[_position++] = 0;
    }

    public static int CStringLength(string? value, int max) => Math.Min(value?.Length ?? 0, max - 1) + 1;
}
