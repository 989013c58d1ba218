using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("TapeChanger.Transport.Usb.Tests")]

namespace TapeChanger.Transport.Usb;
