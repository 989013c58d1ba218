using TapeChanger.Testing;
using TapeChanger.Transport;
using TapeChanger.Virtual;

namespace TapeChanger.Domain.Tests;

/// <summary>
/// The one way the domain tests open a <see cref="MediaChanger"/> on the virtual library with every command seen (and,
/// through <see cref="InterceptingTransport.Before"/>, answerable) by an <see cref="InterceptingTransport"/>.
/// </summary>
internal static class InterceptedVirtualLibrary
{
    /// <summary>The changer over an intercepting transport onto <paramref name="device"/>; nothing sent yet.</summary>
    public static async Task<(InterceptingTransport Transport, MediaChanger Changer, VirtualLibrary Library)> OpenColdAsync(
        string stateDirectory, string device = "virtual:", ChangerSettings? settings = null, ChangerQuirks? quirks = null)
    {
        var inner = (VirtualTransport)await new VirtualTransportFactory().OpenAsync(DeviceUri.Parse(device), new TransportOpenContext(stateDirectory));
        var t = new InterceptingTransport(inner);
        return (t, new MediaChanger(new SmcClient(t, quirks: quirks), settings), inner.Library);
    }

    /// <summary>As <see cref="OpenColdAsync"/>, after a TEST UNIT READY (it absorbs the power-on unit attention) and the element map read.</summary>
    public static async Task<(MediaChanger Changer, InterceptingTransport Transport, VirtualLibrary Library, ElementMap Map)> OpenAsync(
        string stateDirectory, string device = "virtual:", ChangerSettings? settings = null, ChangerQuirks? quirks = null)
    {
        var (t, changer, library) = await OpenColdAsync(stateDirectory, device, settings, quirks);
        await changer.TestUnitReadyAsync();
        return (changer, t, library, await changer.GetMapAsync());
    }
}
