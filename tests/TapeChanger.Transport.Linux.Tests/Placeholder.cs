namespace TapeChanger.Transport.Linux.Tests;
