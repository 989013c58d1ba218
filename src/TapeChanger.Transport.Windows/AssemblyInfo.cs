namespace TapeChanger.Transport.Windows;
