namespace TapeChanger.Transport.Usb.Tests;
