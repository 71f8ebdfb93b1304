// An MSBuild task (compiled by RoslynCodeTaskFactory from Pipeline.TorchSharp.targets; not part of the library).
// Written for netstandard2.0 (what RoslynCodeTaskFactory compiles against). It copies an ELF64 shared library and marks one symbol-version requirement (a Vernaux entry of .gnu.version_r) weak,
// so the dynamic loader warns instead of refusing to load when the system lacks that version. See the targets file for why.
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public sealed class WeakenElfVersionNeed : Task
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 0x2;

    /// <summary>The library as restored (never modified).</summary>
    [Required]
    public string SourceFile { get; set; } = "";

    /// <summary>Where the adjusted copy goes (under obj/).</summary>
    [Required]
    public string DestinationFile { get; set; } = "";

    /// <summary>The version to mark weak, for example GLIBCXX_3.4.32.</summary>
    [Required]
    public string VersionName { get; set; } = "";

    /// <summary>The library that should define the version (libstdc++.so.6); looked up in the system's library folders.</summary>
    [Required]
    public string ProvidingLibrary { get; set; } = "";

    /// <summary>True when the copy was made (use it instead of the source); false when the system already has the version.</summary>
    [Output]
    public bool Patched { get; set; }

    public override bool Execute()
    {
        string provider = FindSystemLibrary(ProvidingLibrary);
        if (provider is not null && Contains(File.ReadAllBytes(provider), Encoding.ASCII.GetBytes(VersionName + "\0")))
        {
            Log.LogMessage(MessageImportance.Low, $"{provider} defines {VersionName}; {SourceFile} is used as restored.");
            return true;
        }

        if (File.Exists(DestinationFile) && File.GetLastWriteTimeUtc(DestinationFile) >= File.GetLastWriteTimeUtc(SourceFile))
        {
            Patched = true;
            return true;
        }

        byte[] elf = File.ReadAllBytes(SourceFile);
        int weakened;
        try
        {
            weakened = Weaken(elf, VersionName);
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or IndexOutOfRangeException or InvalidDataException)
        {
            Log.LogError($"{SourceFile} is not an ELF64 little-endian library this step understands: {e.Message}");
            return false;
        }

        if (weakened == 0)
        {
            // Nothing to do: a TorchSharp build that no longer needs the version.
            Log.LogMessage(MessageImportance.Normal, $"{SourceFile} does not require {VersionName}; used as restored.");
            return true;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(DestinationFile));
        string temporary = DestinationFile + ".tmp";
        File.WriteAllBytes(temporary, elf);
        if (File.Exists(DestinationFile)) File.Delete(DestinationFile);
        File.Move(temporary, DestinationFile);
        Log.LogMessage(MessageImportance.High, $"{Path.GetFileName(SourceFile)}: marked its {VersionName} requirement weak in a copy ({provider ?? ProvidingLibrary + " not found"} lacks it): {DestinationFile}");
        Patched = true;
        return true;
    }

    /// <summary>Sets VER_FLG_WEAK on every Vernaux entry named <paramref name="version"/>; returns how many.</summary>
    private static int Weaken(byte[] elf, string version)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F' || elf[4] != 2 || elf[5] != 1)
        {
            throw new InvalidDataException("not ELF64 little-endian");
        }

        long sectionHeaders = (long)U64(elf, 0x28);
        int entrySize = U16(elf, 0x3A);
        int count = U16(elf, 0x3C);
        int weakened = 0;
        for (int i = 0; i < count; i++)
        {
            long header = sectionHeaders + ((long)i * entrySize);
            if (U32(elf, header + 4) != ShtGnuVerneed) continue;
            long strings = (long)U64(elf, sectionHeaders + ((long)U32(elf, header + 40) * entrySize) + 24);
            long need = (long)U64(elf, header + 24);
            while (true)
            {
                // Elf64_Verneed: vn_version (2), vn_cnt (2), vn_file (4), vn_aux (4), vn_next (4).
                int auxCount = U16(elf, need + 2);
                long aux = need + U32(elf, need + 8);
                for (int a = 0; a < auxCount; a++)
                {
                    // Elf64_Vernaux: vna_hash (4), vna_flags (2), vna_other (2), vna_name (4), vna_next (4).
                    if (Name(elf, strings + U32(elf, aux + 8)) == version)
                    {
                        int flags = U16(elf, aux + 4) | VerFlgWeak;
                        elf[aux + 4] = (byte)flags;
                        elf[aux + 5] = (byte)(flags >> 8);
                        weakened++;
                    }

                    uint nextAux = U32(elf, aux + 12);
                    if (nextAux == 0) break;
                    aux += nextAux;
                }

                uint next = U32(elf, need + 12);
                if (next == 0) break;
                need += next;
            }
        }

        return weakened;
    }

    private static string FindSystemLibrary(string name)
    {
        var folders = new List<string> { "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib" };
        foreach (string folder in folders)
        {
            string path = Path.Combine(folder, name);
            if (File.Exists(path)) return path;
        }

        return null;
    }

    private static bool Contains(byte[] haystack, byte[] needle)
    {
        for (int i = Array.IndexOf(haystack, needle[0]); i >= 0 && i <= haystack.Length - needle.Length; i = Array.IndexOf(haystack, needle[0], i + 1))
        {
            int k = 1;
            while (k < needle.Length && haystack[i + k] == needle[k]) k++;
            if (k == needle.Length) return true;
        }

        return false;
    }

    private static string Name(byte[] elf, long offset)
    {
        int end = Array.IndexOf(elf, (byte)0, checked((int)offset));
        return Encoding.ASCII.GetString(elf, (int)offset, end - (int)offset);
    }

    private static ushort U16(byte[] b, long at) => BitConverter.ToUInt16(b, checked((int)at));

    private static uint U32(byte[] b, long at) => BitConverter.ToUInt32(b, checked((int)at));

    private static ulong U64(byte[] b, long at) => BitConverter.ToUInt64(b, checked((int)at));
}
