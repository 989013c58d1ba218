using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("TapeChanger.Transport.Windows.Tests")]

namespace TapeChanger.Transport.Windows;
