namespace TapeChanger.Transport.Usb;

/// <summary>Reads libusb's config descriptor tree (pointers) into managed records.</summary>
internal static unsafe class ConfigDescriptorWalker
{
    internal static List<UsbInterfaceInfo> Walk(nint config)
    {
        var result = new List<UsbInterfaceInfo>();
        if (config == 0) return result;
        var cfg = (LibUsbConfigDescriptor*)config;
        var interfaces = (LibUsbInterface*)cfg->Interface;
        for (int i = 0; i < cfg->bNumInterfaces && interfaces != null; i++)
        {
            var alts = (LibUsbInterfaceDescriptor*)interfaces[i].AltSetting;
            for (int a = 0; a < interfaces[i].NumAltSetting && alts != null; a++)
            {
                var alt = &alts[a];
                var endpoints = new List<UsbEndpointInfo>();
                var eps = (LibUsbEndpointDescriptor*)alt->Endpoint;
                for (int e = 0; e < alt->bNumEndpoints && eps != null; e++)
                {
                    endpoints.Add(new UsbEndpointInfo(eps[e].bEndpointAddress, eps[e].bmAttributes, eps[e].wMaxPacketSize));
                }
                result.Add(new UsbInterfaceInfo(alt->bInterfaceNumber, alt->bAlternateSetting, alt->bInterfaceClass,
                    alt->bInterfaceSubClass, alt->bInterfaceProtocol, endpoints));
            }
        }
        return result;
    }
}
