using System.Reflection;
using System.Runtime.CompilerServices;

namespace TapeChanger.Transport.Windows.Tests;

/// <summary>
/// The C compiler's layout of a struct declaration (fields in order, each at the next multiple of its alignment, the
/// size rounded up to the largest alignment), computed from the C# declaration for a chosen pointer size: nint and
/// nuint (PVOID, ULONG_PTR) are 4 or 8 bytes. Lets a test check the x86 and the x64/arm64 layouts from any process.
/// </summary>
internal static class CLayout
{
    public sealed record Result(int Size, int Align, IReadOnlyDictionary<string, int> Offsets);

    public static Result Of(Type t, int pointerSize)
    {
        var offsets = new Dictionary<string, int>();
        int offset = 0, align = 1;
        foreach (var f in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).OrderBy(f => f.MetadataToken))
        {
            var (size, a) = SizeAndAlign(f, pointerSize);
            offset = (offset + a - 1) / a * a;
            offsets[f.Name] = offset;
            offset += size;
            align = Math.Max(align, a);
        }
        return new Result((offset + align - 1) / align * align, align, offsets);
    }

    private static (int Size, int Align) SizeAndAlign(FieldInfo f, int pointerSize)
    {
        if (f.GetCustomAttribute<FixedBufferAttribute>() is { } fixedBuffer)
        {
            var (elem, _) = Primitive(fixedBuffer.ElementType, pointerSize);
            return (elem * fixedBuffer.Length, elem);
        }
        return Primitive(f.FieldType, pointerSize);
    }

    private static (int Size, int Align) Primitive(Type t, int pointerSize)
    {
        if (t == typeof(byte) || t == typeof(sbyte)) return (1, 1);
        if (t == typeof(ushort) || t == typeof(short)) return (2, 2);
        if (t == typeof(uint) || t == typeof(int)) return (4, 4);
        if (t == typeof(ulong) || t == typeof(long)) return (8, 8);
        if (t == typeof(nint) || t == typeof(nuint)) return (pointerSize, pointerSize);
        if (t.IsValueType && !t.IsPrimitive && !t.IsEnum)
        {
            var inner = Of(t, pointerSize);
            return (inner.Size, inner.Align);
        }
        throw new NotSupportedException($"no C layout rule for {t}");
    }
}

/// <summary>The ABI of the test process: the x64 column also holds for arm64 (same pointer size and alignment rules).</summary>
internal static class Abi
{
    public static bool Is64 => IntPtr.Size == 8;

    public static int Pick(int x64, int x86) => Is64 ? x64 : x86;
}
