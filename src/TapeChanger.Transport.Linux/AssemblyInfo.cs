namespace TapeChanger.Transport.Linux;
