using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("TapeChanger.Transport.Linux.Tests")]
