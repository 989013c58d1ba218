namespace TapeChanger.Transport.Usb;
