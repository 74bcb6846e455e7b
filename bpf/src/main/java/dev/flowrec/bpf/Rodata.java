package dev.flowrec.bpf;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Sets a {@code volatile const} knob of an opened, not yet loaded object: finds the variable's offset in the
 * .rodata section through BTF, patches a copy of the section's initial value and hands it back to libbpf.
 *
 * <pre>
 * struct btf_type (12):        u32 name_off | u32 info (vlen = info &amp; 0xffff) | u32 size
 * struct btf_var_secinfo (12): u32 type     | u32 offset                     | u32 size   (vlen of them follow)
 * </pre>
 */
final class Rodata
{
    private static final int BTF_KIND_DATASEC = 15;
    private static final int BTF_TYPE_SIZE = 12;
    private static final int SECINFO_SIZE = 12;
    private static final String SECTION = ".rodata";

    private Rodata()
    {
    }

    static void setLong(final MemorySegment object, final String variable, final long value, final String objectName)
    {
        final MemorySegment map = findMap(object, objectName);
        final int offset = offsetOf(object, variable, objectName);
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment sizeOut = arena.allocate(JAVA_LONG);
            final MemorySegment initial = Libbpf.mapInitialValue(map, sizeOut);
            final long size = sizeOut.get(JAVA_LONG, 0);
            if (initial.address() == 0 || offset + 8L > size)
            {
                throw new BpfException(SECTION + " of " + objectName + " has no room for " + variable);
            }
            final MemorySegment patched = arena.allocate(size, 8);
            patched.copyFrom(initial.reinterpret(size));
            patched.set(JAVA_LONG.withByteAlignment(1), offset, value);
            Libbpf.check(Libbpf.mapSetInitialValue(map, patched),
                "bpf_map__set_initial_value " + Libbpf.mapName(map) + " of " + objectName);
        }
    }

    /** libbpf names the map "<object prefix>.rodata". */
    private static MemorySegment findMap(final MemorySegment object, final String objectName)
    {
        for (MemorySegment map = Libbpf.objectNextMap(object, MemorySegment.NULL);
            map.address() != 0;
            map = Libbpf.objectNextMap(object, map))
        {
            final String name = Libbpf.mapName(map);
            if (name != null && name.endsWith(SECTION))
            {
                return map;
            }
        }
        throw new BpfException("no " + SECTION + " map in " + objectName);
    }

    private static int offsetOf(final MemorySegment object, final String variable, final String objectName)
    {
        final MemorySegment btf = Libbpf.objectBtf(object);
        if (btf.address() == 0)
        {
            throw new BpfException(objectName + " carries no BTF: cannot find " + variable);
        }
        final int datasec = Libbpf.btfFindByNameKind(btf, SECTION, BTF_KIND_DATASEC);
        if (datasec < 0)
        {
            throw new BpfException("no " + SECTION + " section in the BTF of " + objectName);
        }
        final int vlen = Libbpf.btfTypeById(btf, datasec, BTF_TYPE_SIZE).get(JAVA_INT, 4) & 0xFFFF;
        final MemorySegment section = Libbpf.btfTypeById(btf, datasec, BTF_TYPE_SIZE + (long)vlen * SECINFO_SIZE);
        for (int i = 0; i < vlen; i++)
        {
            final long secinfo = BTF_TYPE_SIZE + (long)i * SECINFO_SIZE;
            final MemorySegment var = Libbpf.btfTypeById(btf, section.get(JAVA_INT, secinfo), BTF_TYPE_SIZE);
            if (variable.equals(Libbpf.btfNameByOffset(btf, var.get(JAVA_INT, 0))))
            {
                if (section.get(JAVA_INT, secinfo + 8) != 8)
                {
                    throw new BpfException(variable + " in " + objectName + " is not 8 bytes");
                }
                return section.get(JAVA_INT, secinfo + 4);
            }
        }
        throw new BpfException("no variable " + variable + " in " + SECTION + " of " + objectName);
    }
}
