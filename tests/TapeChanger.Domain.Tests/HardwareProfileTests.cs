using TapeChanger.Domain;
using TapeChanger.Scsi.Decoding;
using TapeChanger.Scsi.Sense;
using TapeChanger.Transport;
using TapeChanger.Virtual;

namespace TapeChanger.Domain.Tests;

public class HardwareProfileTests
{
    private static HardwareProfile Profile(string name) => HardwareProfiles.All.Single(p => p.Name == name);

    // INQUIRY vendor/product/revision exactly as the captures show them (padding as the device sends it).
    [Theory]
    [InlineData("HPE     ", "MSL3040         ", "3350", "hpe-msl3040")]                  // MSL3040 capture (archivetechie/remanence@56139ae0)
    [InlineData("IBM     ", "3573-TL         ", "F.11", "ibm-3573-tl")]                  // published lsscsi/mtx output (Dell TL2000)
    [InlineData("IBM     ", "03584L32        ", "2C02", "ibm-ts3500-ts4500")]            // tests/Fixtures/mtx/ibm-03584L32-2C02-status.txt
    [InlineData("IBM     ", "03584L32        ", "F270", "quadstor-vtl-ibm-03584")]       // published notes on QUADStor's 03584L32 emulation
    [InlineData("ADIC    ", "Scalar 24       ", "7000", "quadstor-vtl-adic-scalar24")]   // tests/Fixtures/mtx/quadstor-adic-scalar24-status.txt
    [InlineData("QUANTUM ", "UHDL            ", "0061", "quantum-superloader3")]         // tests/Fixtures/mtx/quantum-superloader3-status.txt
    [InlineData("SPECTRA ", "215             ", "2202", "spectra")]                      // tests/Fixtures/mtx/spectra-215-status.txt
    [InlineData("SPECTRA ", "10000           ", "X010", "spectra")]                      // mtx COMPATABILITY Treefrog/Bullfrog
    [InlineData("TANDBERG", "StorageLoader   ", "0495", "tandberg-storageloader")]       // tests/Fixtures/mtx/tandberg-storageloader-status.txt
    [InlineData("BDT     ", "FlexStor II     ", "5.60", "bdt-flexstor2")]                // a published mtx loaderinfo session
    [InlineData("STK     ", "L700            ", "0108", "mhvtl-stk-l-series")]           // docs/reference/mhvtl.md §2 (library 10), tgt-library.sh
    [InlineData("STK     ", "L700            ", "0016", "mhvtl-stk-l-series")]           // tests/Fixtures/mtx/mhvtl-stk-l700-rackspace-status.txt
    [InlineData("STK", "VLSTK", "0105", "mhvtl-stk-l-series")]                           // the cern-cta/CTA documentation
    [InlineData("STK", "L80", "0108", "mhvtl-stk-l-series")]                             // docs/reference/mhvtl.md §2 (library 30)
    [InlineData("IET     ", "VIRTUAL-CHANGER ", "0001", "tgt")]                          // tgt smc_lu_init default identity
    [InlineData("OVERLAND", "LXB             ", "", "overland-neo")]                     // mtx COMPATABILITY
    [InlineData("EXABYTE ", "LTO 1x7 2U      ", "0001", "exabyte-magnum-1x7")]           // Magnum 1x7 ref ch. 6 INQUIRY (documented, native mode)
    [InlineData("DELL    ", "PV-124T         ", "0085", "generic-smc")]                  // published lsscsi/mtx output: no facts found
    [InlineData("Maxoptix", "MAXLYB          ", "3.04", "generic-smc")]                  // mtx COMPATABILITY: not a tape library we know
    public void Profiles_are_selected_by_the_captured_inquiry_strings(string vendor, string product, string revision, string expected)
    {
        var sel = HardwareProfiles.Select(vendor, product, revision);
        Assert.Equal(expected, sel.Profile.Name);
        Assert.Equal(expected == "generic-smc" ? ProfileSelectionKind.Fallback : ProfileSelectionKind.Match, sel.Kind);
        Assert.Equal($"hw-profiles/{expected}.json", sel.File);
    }

    [Fact]
    public void Quadstor_is_told_apart_from_a_real_ts4500_by_revision_and_says_so()
    {
        var quadstor = HardwareProfiles.Select("IBM", "03584L32", "F270");
        Assert.Contains("revision 'F270' matches", quadstor.Reason);
        // Without a revision (old callers) the real-library profile wins: the revision pattern cannot match.
        Assert.Equal("ibm-ts3500-ts4500", HardwareProfiles.Select("IBM", "03584L32").Profile.Name);
    }

    [Fact]
    public void Every_shipped_profile_cites_a_source_for_every_field_that_differs_from_the_generic_default()
    {
        Assert.Contains(HardwareProfiles.All, p => p.Name == "generic-smc");
        Assert.True(HardwareProfiles.All.Count >= 16);
        foreach (var p in HardwareProfiles.All)
        {
            var missing = p.DifferingFields().Where(f => p.SourceFor(f) is null).ToList();
            Assert.True(missing.Count == 0, $"{p.Name}: no source for {string.Join(", ", missing)}");
            if (p.Name != "generic-smc") Assert.NotNull(p.SourceFor("match"));
            Assert.False(string.IsNullOrWhiteSpace(p.Description), p.Name);
        }
    }

    [Fact]
    public void The_source_check_catches_an_uncited_difference()
    {
        var p = HardwareProfiles.Parse("""{"name":"x","match":{"vendor":"A","product":"B"},"ejectBeforeUnload":true,"sources":{"match":"m"}}""", "x.json");
        Assert.Equal(["ejectBeforeUnload"], p.DifferingFields());
        Assert.Null(p.SourceFor("ejectBeforeUnload"));
        Assert.Equal("m", p.SourceFor("match.revision"));     // a parent entry covers its children
    }

    [Fact]
    public void Generic_profile_maps_onto_the_generic_quirks()
    {
        var q = Profile("generic-smc").ToQuirks();
        var g = ChangerQuirks.Generic;
        Assert.Equal(g.ReadStrategy, q.ReadStrategy);
        Assert.Equal(g.MaxElementsPerRead, q.MaxElementsPerRead);
        Assert.Equal(g.MaxAllocation, q.MaxAllocation);
        Assert.Equal(g.DeviceId, q.DeviceId);
        Assert.Equal(g.CurrentData, q.CurrentData);
        Assert.Equal(g.DefaultTimeout, q.DefaultTimeout);
        Assert.Equal(g.MoveTimeout, q.MoveTimeout);
        Assert.Equal(g.InitializeTimeout, q.InitializeTimeout);
        Assert.Equal(g.BecomingReadyLimit, q.BecomingReadyLimit);
        Assert.Null(q.DefaultAddresses);
        Assert.False(q.EjectBeforeUnload);
        Assert.False(q.PreventLocksMailSlot);
        Assert.Empty(q.SenseRules);
        Assert.Empty(Profile("generic-smc").DifferingFields());
    }

    [Fact]
    public void Msl3040_maps_to_all_types_with_curdata_and_the_captured_address_map()
    {
        // MSL3040 capture: all-types RES with VolTag+CURDATA; page 1Dh MT 0 / ST 1001 x40 / IE 101 x0 / DT 1 x2. MSL3040 UG: PREVENT locks the mailslot.
        var q = Profile("hpe-msl3040").ToQuirks();
        Assert.Equal(ReadElementStatusStrategy.AllTypes, q.ReadStrategy);
        Assert.True(q.CurrentData);
        Assert.True(q.PreventLocksMailSlot);
        Assert.Equal(new ElementAddressAssignment(0, 1, 1001, 40, 101, 0, 1, 2), q.DefaultAddresses);
    }

    [Fact]
    public async Task Mhvtl_element_defaults_equal_what_the_virtual_library_reports_in_page_1d()
    {
        // docs/reference/mhvtl.md §4: library 10 page 1Dh; the virtual library follows mhVTL byte for byte.
        string state = Directory.CreateTempSubdirectory("tc-profile-").FullName;
        try
        {
            var transport = await new VirtualTransportFactory().OpenAsync(DeviceUri.Parse("virtual:"), new TransportOpenContext(state));
            var client = new SmcClient(transport);
            var page = await client.ElementAddressAssignmentAsync();
            Assert.Equal(page, Profile("mhvtl-stk-l-series").ToQuirks().DefaultAddresses);
        }
        finally { Directory.Delete(state, true); }
    }

    [Theory]
    // mtx status captures: element counts (addresses are not shown by mtx).
    [InlineData("hpe-msl3040", 2, 40, 0)]                 // MSL3040 capture (archivetechie/remanence@56139ae0): 2 Drives, 40 Slots (0 IE)
    [InlineData("tandberg-storageloader", 1, 7, 0)]       // tests/Fixtures/mtx/tandberg-storageloader-status.txt: 1 Drives, 7 Slots (0 IE)
    [InlineData("quadstor-vtl-adic-scalar24", 3, 20, 4)]  // tests/Fixtures/mtx/quadstor-adic-scalar24-status.txt: 3 Drives, 24 Slots (4 IE)
    [InlineData("quadstor-vtl-ibm-03584", 2, 20, 4)]      // published notes on QUADStor's 03584L32 emulation: DT x2, ST x20, IE x4
    [InlineData("exabyte-magnum-1x7", 1, 7, 0)]           // Magnum 1x7 ref: 7 cells, 1 drive, no IE
    public void Element_default_counts_agree_with_the_captures(string name, int drives, int slots, int ie)
    {
        var a = Profile(name).ToQuirks().DefaultAddresses!;
        Assert.Equal((drives, slots, ie), ((int)a.DataTransferCount, (int)a.StorageCount, (int)a.ImportExportCount));
    }

    [Fact]
    public void Documented_address_defaults()
    {
        // TS3100 SM / TL2000 UG: MT 1, ST 4096, IE 16, DT 256.
        var ibm = Profile("ibm-3573-tl").ToQuirks().DefaultAddresses!;
        Assert.Equal((1, 4096, 16, 256), ((int)ibm.FirstTransport, (int)ibm.FirstStorage, (int)ibm.FirstImportExport, (int)ibm.FirstDataTransfer));
        // Magnum 224 ref: MT 0x61, ST 0x01, IE 0x71, DT 0x51.
        var tdb = Profile("tandberg-storageloader").ToQuirks().DefaultAddresses!;
        Assert.Equal((0x61, 0x01, 0x71, 0x51), ((int)tdb.FirstTransport, (int)tdb.FirstStorage, (int)tdb.FirstImportExport, (int)tdb.FirstDataTransfer));
        // Magnum 1x7 ref: MT 0x56, ST 0x01, DT 0x52.
        var mag = Profile("exabyte-magnum-1x7").ToQuirks().DefaultAddresses!;
        Assert.Equal((0x56, 0x01, 0x52), ((int)mag.FirstTransport, (int)mag.FirstStorage, (int)mag.FirstDataTransfer));
        // Scalar SCSI ref and SL150 give first addresses but no counts: documented, yet no fallback map.
        var scalar = Profile("quantum-scalar");
        Assert.Equal((1, 4096, 16, 256), (scalar.Elements!.Transport.First, scalar.Elements.Storage.First, scalar.Elements.ImportExport.First, scalar.Elements.DataTransfer.First));
        Assert.Null(scalar.ToQuirks().DefaultAddresses);
        var sl150 = Profile("oracle-sl150");
        Assert.Equal((0, 1000, 10, 500), (sl150.Elements!.Transport.First, sl150.Elements.Storage.First, sl150.Elements.ImportExport.First, sl150.Elements.DataTransfer.First));
        Assert.Null(sl150.ToQuirks().DefaultAddresses);
    }

    [Fact]
    public void Documented_cleaning_facts()
    {
        // Scalar SCSI ref: medium type 1 documented as cleaning (conflicts with SMC-3); UCST=1 hides cleaning slots; ACE in page 1Fh.
        Assert.False(Profile("quantum-scalar").Cleaning.CleanerMediumType2Trusted);
        var scalar = Profile("quantum-scalar").Documented.Cleaning;
        Assert.Equal(ProfileAvailability.Optional, scalar.HiddenSlots);
        Assert.Equal(CleaningDetection.Page1FAce, scalar.LibraryManagedDetection);
        // SL150: 0-3 reserved slots without element address; library-managed cleaning.
        Assert.Equal((ProfileAvailability.Optional, ProfileAvailability.Always), (Profile("oracle-sl150").Documented.Cleaning.HiddenSlots, Profile("oracle-sl150").Documented.Cleaning.LibraryManaged));
        // Magnum 224 ref / Magnum 1x7 ref: FixEnbl + Auto removes the cleaning cell; vendor page 25h.
        Assert.Equal(CleaningDetection.VendorModePage, Profile("tandberg-storageloader").Documented.Cleaning.LibraryManagedDetection);
        Assert.Equal(ProfileAvailability.Optional, Profile("exabyte-magnum-1x7").Documented.Cleaning.HiddenSlots);
        // TS4500: auto-clean flag in page 20h.
        Assert.Equal(CleaningDetection.VendorModePage, Profile("ibm-ts3500-ts4500").Documented.Cleaning.LibraryManagedDetection);
        // MSL3040 capture: ACE=1 in page 1Fh.
        Assert.Equal(CleaningDetection.Page1FAce, Profile("hpe-msl3040").Documented.Cleaning.LibraryManagedDetection);
        // docs/reference/mhvtl.md §10: mhVTL cleaning cycle 30 s + 90 s.
        Assert.Equal(120, Profile("mhvtl-stk-l-series").Cleaning.Seconds);
    }

    [Fact]
    public void Documented_mail_slot_and_unload_facts()
    {
        Assert.False(Profile("quantum-superloader3").Documented.ImportExport.ExposedAsElement);   // SL3 SIG: mail slot not an IE element
        Assert.True(Profile("quantum-superloader3").ImportExport.PreventLocksMailSlot); // SL3 SIG
        Assert.False(Profile("quantum-scalar").ImportExport.PreventLocksMailSlot);      // Scalar SCSI ref: PREVENT does not lock the mailbox
        Assert.True(Profile("quantum-scalar").ToQuirks().EjectBeforeUnload);             // Scalar SCSI ref: SPMER, always eject
        Assert.True(Profile("tandberg-storageloader").ImportExport.PreventLocksMailSlot); // Magnum 224 ref
        Assert.False(Profile("mhvtl-stk-l-series").ToQuirks().PreventLocksMailSlot);    // docs/reference/mhvtl.md §5: PREVENT is a no-op
        // tgt: all-types READ ELEMENT STATUS is broken (docs/reference/tgt.md §4 bug 3); the STK profile tgt-library.sh selects stays per type.
        Assert.Equal(ReadElementStatusStrategy.PerType, Profile("tgt").ToQuirks().ReadStrategy);
        Assert.Equal(ReadElementStatusStrategy.PerType, Profile("mhvtl-stk-l-series").ToQuirks().ReadStrategy);
    }

    [Fact]
    public void Sense_quirks_become_policy_rows()
    {
        // CTA: IBM pause mode 02/04/85 waits; SL3 SIG: 02/04/07 offline waits for the operator; SL150: 03/30/13 cleaner spent.
        var ibm = Profile("ibm-ts3500-ts4500").ToQuirks().SenseRules;
        Assert.Contains(ibm, r => r.Matches(SenseKey.NotReady, 0x04, 0x85, null) && r.Action == SenseAction.WaitAndRetry);
        var sl3 = Profile("quantum-superloader3").ToQuirks().SenseRules;
        Assert.Contains(sl3, r => r.Matches(SenseKey.NotReady, 0x04, 0x07, null) && r.Action == SenseAction.WaitForOperator);
        var sl150 = Profile("oracle-sl150").ToQuirks().SenseRules;
        Assert.Contains(sl150, r => r.Matches(SenseKey.MediumError, 0x30, 0x13, null) && r.Action == SenseAction.MarkCleanerSpent);
        // tgt answers an invalid MOVE address with 05/24/00 (docs/reference/tgt.md §5), only for MOVE MEDIUM.
        var tgt = Profile("tgt").ToQuirks().SenseRules;
        Assert.Contains(tgt, r => r.Matches(SenseKey.IllegalRequest, 0x24, 0x00, "MOVE MEDIUM") && r.Failure == SenseFailure.InvalidElement);
        Assert.DoesNotContain(tgt, r => r.Matches(SenseKey.IllegalRequest, 0x24, 0x00, "READ ELEMENT STATUS"));
        // A null key matches element ASC/ASCQ too (Magnum 04/89 console mode carries no key in Magnum 1x7 ref's table).
        Assert.Contains(Profile("exabyte-magnum-1x7").ToQuirks().SenseRules, r => r.Key is null && r.Matches(null, 0x04, 0x89, null));
        Assert.All(HardwareProfiles.All.SelectMany(p => p.ToQuirks().SenseRules), r => Assert.False(string.IsNullOrWhiteSpace(r.Meaning + r.Source)));
    }

    [Theory]
    [InlineData("{ not json", "my.json is invalid")]
    [InlineData("{\"name\": \"\"}", "name: missing")]
    [InlineData("{\"name\": \"x\", \"match\": {\"vendor\": \"(\"}}", "match.vendor: /(/ is not a regular expression")]
    [InlineData("{\"name\": \"x\", \"match\": {\"vendor\": \"A\", \"product\": \"B\", \"revision\": \"[\"}}", "match.revision:")]
    [InlineData("{\"name\": \"x\", \"cleaning\": {\"seconds\": 0}}", "cleaning.seconds: must be 1 to 86400")]
    [InlineData("{\"name\": \"x\", \"readElementStatus\": {\"strategy\": \"sideways\"}}", "at readElementStatus.strategy")]
    [InlineData("{\"name\": \"x\", \"readElementStatus\": {\"maxAllocation\": 16}}", "readElementStatus.maxAllocation:")]
    [InlineData("{\"name\": \"x\", \"timeouts\": {\"moveSeconds\": 0}}", "timeouts.moveSeconds:")]
    [InlineData("{\"name\": \"x\", \"elements\": {\"transport\": {\"first\": 70000, \"count\": 1}, \"storage\": {\"first\": 1}, \"importExport\": {\"first\": 1}, \"dataTransfer\": {\"first\": 1}}}", "elements.transport.first:")]
    [InlineData("{\"name\": \"x\", \"senseQuirks\": [{\"key\": \"06\", \"asc\": \"2G\", \"action\": \"RetrySoon\", \"failure\": \"NotReady\", \"meaning\": \"m\", \"source\": \"s\"}]}", "senseQuirks[0].asc:")]
    [InlineData("{\"name\": \"x\", \"senseQuirks\": [{\"key\": \"16\", \"asc\": \"28\", \"action\": \"RetrySoon\", \"failure\": \"NotReady\", \"meaning\": \"m\", \"source\": \"s\"}]}", "senseQuirks[0].key:")]
    [InlineData("{\"name\": \"x\", \"senseQuirks\": [{\"asc\": \"28\", \"action\": \"RetrySoon\", \"failure\": \"NotReady\", \"meaning\": \"m\"}]}", "senseQuirks[0].source: missing")]
    [InlineData("{\"name\": \"x\", \"ejectBeforUnload\": true}", "ejectBeforUnload")]
    [InlineData("{\"name\": \"x\", \"sources\": {\"elements\": \"\"}}", "sources.elements: empty")]
    // A key given twice (an edit that added a block instead of changing the existing one) must not silently take the last value.
    [InlineData("{\"name\": \"x\", \"readElementStatus\": {\"strategy\": \"allTypes\"}, \"readElementStatus\": {\"strategy\": \"perType\"}}", "readElementStatus")]
    public void Invalid_profiles_are_rejected_in_one_line_naming_the_file_and_field(string json, string expected)
    {
        var e = Assert.Throws<InvalidDataException>(() => HardwareProfiles.Parse(json, "my.json"));
        Assert.Contains("my.json", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Override_directory_replaces_a_shipped_profile_by_name_and_reports_its_file()
    {
        string dir = Directory.CreateTempSubdirectory("tc-profiles-").FullName;
        try
        {
            string file = Path.Combine(dir, "mine.json");
            File.WriteAllText(file, """{"name":"hpe-msl3040","match":{"vendor":"^HPE$","product":"^MSL3040$"},"priority":20,"cleaning":{"seconds":42},"sources":{"match":"x","cleaning.seconds":"measured"}}""");
            var catalog = ProfileCatalog.Load(dir);
            var sel = catalog.Select("HPE", "MSL3040", "3350");
            Assert.Equal(42, sel.Profile.Cleaning.Seconds);
            Assert.Equal(file, sel.File);
            Assert.Equal(HardwareProfiles.All.Count, catalog.Profiles.Count);    // replaced, not added
            Assert.Equal("hw-profiles/tgt.json", catalog.Select("IET", "VIRTUAL-CHANGER").File);

            File.WriteAllText(Path.Combine(dir, "broken.json"), """{"name":"x","timeouts":{"moveSeconds":-1}}""");
            var e = Assert.Throws<InvalidDataException>(() => ProfileCatalog.Load(dir));
            Assert.Contains("broken.json", e.Message);
            Assert.Contains("timeouts.moveSeconds", e.Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Forcing_an_unknown_profile_lists_the_known_ones()
    {
        var catalog = ProfileCatalog.Load(null);
        Assert.Equal(ProfileSelectionKind.Forced, catalog.Force("TGT").Kind);
        var e = Assert.Throws<ArgumentException>(() => catalog.Force("nope"));
        Assert.Contains("generic-smc", e.Message);
        Assert.Contains("hpe-msl3040", e.Message);
    }

    [Fact]
    public void No_code_outside_the_profile_files_reads_the_documented_facts()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "TapeChanger.sln"))) dir = dir.Parent;
        Assert.NotNull(dir);
        var all = Directory.GetFiles(Path.Combine(dir!.FullName, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Where(f => File.ReadAllText(f).Contains(".Documented", StringComparison.Ordinal))
            .ToList();
        Assert.Contains(all, f => Path.GetFileName(f) == "ProfileValidation.cs");       // the scan sees a reader where there is one
        var readers = all.Where(f => Path.GetFileName(Path.GetDirectoryName(f)) != "Profiles")   // the schema, its validation and provenance
            .Select(f => Path.GetRelativePath(dir.FullName, f)).ToList();
        Assert.True(readers.Count == 0, "a documented fact now drives behaviour; move it out of 'documented' (and test it): " + string.Join(", ", readers));
    }
}
