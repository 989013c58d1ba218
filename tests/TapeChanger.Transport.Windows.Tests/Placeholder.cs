namespace TapeChanger.Transport.Windows.Tests;
